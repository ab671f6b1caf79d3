/* `dromd offsets show|set|reset`: the stored positions of the sources, in
 * the offset file of a state dir (or another file) or in a Kafka offset
 * topic, inspected and repaired with dromd stopped, in the spirit of
 * kafka-consumer-groups --reset-offsets. Returns the process exit code. */
#ifndef DROMD_OFFSETS_H
#define DROMD_OFFSETS_H

int dromd_cmd_offsets(int argc, char **argv);

#endif
