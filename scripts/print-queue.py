#!/usr/bin/env python3
"""Prints the messages of an Artemis `consumer --data` export as Debezium change events:
one summary line per message (op, key, before -> after), then the event's payload."""
import json
import sys
import xml.etree.ElementTree as ET


def messages(path):
    root = ET.parse(path).getroot()
    for msg in root.iter():
        if msg.tag.split('}')[-1] != 'message':
            continue
        props = {}
        body = None
        for el in msg.iter():
            tag = el.tag.split('}')[-1]
            if tag == 'property':
                props[el.get('name')] = el.get('value')
            elif tag == 'body':
                body = (el.text or '').strip()
        yield props, body


def main():
    n = 0
    for props, body in messages(sys.argv[1]):
        n += 1
        try:
            event = json.loads(body)
        except (TypeError, ValueError):
            print(f"--- message {n}: not JSON: {body!r}")
            continue
        payload = event.get('payload', event) if isinstance(event, dict) else event
        op = payload.get('op') if isinstance(payload, dict) else None
        src = payload.get('source', {}) if isinstance(payload, dict) else {}
        print(f"--- message {n}: op={op} {src.get('db')}.{src.get('table')}"
              f"  _AMQ_DUPL_ID={props.get('_AMQ_DUPL_ID')}")
        print(f"    before: {json.dumps(payload.get('before'))}")
        print(f"    after:  {json.dumps(payload.get('after'))}")
        print(json.dumps(event if 'schema' not in event else {'schema': '(omitted)', 'payload': payload},
                         indent=2))
    if n == 0:
        print("(no messages)")
        sys.exit(1)


if __name__ == '__main__':
    main()
