/* Camel Main's connection factory beans, as the JMS components take their
 * broker in Camel:
 *   camel.beans.NAME=#class:org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory("tcp://h:61616","user","{{env:PW}}")
 *   camel.beans.NAME.user=...              (bean properties, as Camel sets them)
 *   camel.component.sjms2.connectionFactory=#bean:NAME
 * become the AMQP connection this runtime opens: camel.component.sjms2.remoteURI
 * (amqp://h:61616; Artemis' acceptors speak AMQP beside CORE and OpenWire),
 * .username and .password, so one properties file serves Camel and dromd.
 * Known classes: Artemis' ActiveMQConnectionFactory (and ActiveMQJMSConnectionFactory),
 * ActiveMQ 5's ActiveMQConnectionFactory (OpenWire URLs), Qpid JMS's
 * JmsConnectionFactory (amqp:// URLs as they are).
 *
 * Values keep their placeholders ({{env:AMQ_PASSWORD}}): they are resolved
 * where every property is, and a password stays a secret. */
#ifndef DROM_COMPILER_BEANS_H
#define DROM_COMPILER_BEANS_H

#include "dsl/properties.h"
#include "runtime/error.h"

/* Adds the derived camel.component.<sjms2|amqp>.{remoteURI,username,password}
 * entries to p, each with the origin and line of the bean that gave it.
 * Running it again changes nothing. Errors (unknown bean, unknown class,
 * malformed arguments, a remoteURI set beside a connectionFactory) carry the
 * file and line of the property at fault. */
int drom_beans_apply(struct drom_props *p, struct drom_error *err);
/* For a compilation given properties that were not applied: *out becomes a
 * copy of in with the beans applied and 1 is returned; 0 when in declares no
 * connection factory (out untouched); -1 with err. */
int drom_beans_copy_applied(const struct drom_props *in, struct drom_props *out, struct drom_error *err);
/* The AMQP address (malloc'd) that stands for `url` of a factory of class
 * `class_name`, or NULL with err set. */
char *drom_beans_amqp_url(const char *class_name, const char *url, struct drom_error *err);

#endif
