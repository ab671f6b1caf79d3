/* camel.beans connection factories -> the sjms2/amqp connection (compiler/beans.h). */
#include <criterion/criterion.h>
#include <string.h>

#include "compiler/beans.h"
#include "dsl/properties.h"

static void load(struct drom_props *p, const char *text)
{
    struct drom_error err = {0};
    cr_assert_eq(drom_props_load_mem(p, text, strlen(text), "app.properties", &err), 0, "%s", err.msg);
}

static void is(const struct drom_props *p, const char *key, const char *want)
{
    const char *v = drom_props_get(p, key);
    if (!want)
        cr_expect_null(v, "%s is %s, want none", key, v);
    else
        cr_expect(v && strcmp(v, want) == 0, "%s is %s, want %s", key, v ? v : "(none)", want);
}

static void fails(const char *text, int line, const char *msg)
{
    struct drom_props p = DROM_PROPS_INIT;
    struct drom_error err = {0};
    load(&p, text);
    cr_assert_eq(drom_beans_apply(&p, &err), -1, "applied: %s", text);
    cr_expect_str_eq(err.file, "app.properties");
    cr_expect_eq(err.line, line, "line %d, want %d: %s", err.line, line, err.msg);
    cr_expect(strstr(err.msg, msg), "'%s' does not say '%s'", err.msg, msg);
    drom_props_free(&p);
}

Test(beans, artemis_factory_as_camel_main_declares_it)
{
    struct drom_props p = DROM_PROPS_INIT;
    struct drom_error err = {0};
    load(&p, "camel.beans.artemisCF=#class:org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory("
             "\"tcp://broker:61616?blockOnDurableSend=false\",\"admin\",\"{{env:AMQ_PASSWORD}}\")\n"
             "camel.component.sjms2.connectionFactory=#bean:artemisCF\n");
    cr_assert_eq(drom_beans_apply(&p, &err), 0, "%s", err.msg);
    is(&p, "camel.component.sjms2.remoteURI", "amqp://broker:61616");
    is(&p, "camel.component.sjms2.username", "admin");
    is(&p, "camel.component.sjms2.password", "{{env:AMQ_PASSWORD}}");
    const struct drom_prop *pr = drom_props_find(&p, "camel.component.sjms2.remoteURI");
    cr_expect_eq(pr->line, 1, "the derived entry points at the bean's line");
    cr_assert_eq(drom_beans_apply(&p, &err), 0, "applying twice changes nothing: %s", err.msg);
    drom_props_free(&p);
}

Test(beans, qpid_and_activemq5_factories_and_bean_properties)
{
    struct drom_props p = DROM_PROPS_INIT;
    struct drom_error err = {0};
    load(&p, "camel.beans.qpid=#class:org.apache.qpid.jms.JmsConnectionFactory(\"u\",\"p\",\"amqps://b:5671\")\n"
             "camel.component.amqp.connection-factory=#bean:qpid\n"
             "camel.beans.classic=#class:org.apache.activemq.ActiveMQConnectionFactory\n"
             "camel.beans.classic.brokerURL=ssl://b2:61617\n"
             "camel.beans.classic.userName=admin\n"
             "camel.component.sjms2.connectionFactory=#classic\n");
    cr_assert_eq(drom_beans_apply(&p, &err), 0, "%s", err.msg);
    is(&p, "camel.component.amqp.remoteURI", "amqps://b:5671");
    is(&p, "camel.component.amqp.username", "u");
    is(&p, "camel.component.amqp.password", "p");
    is(&p, "camel.component.sjms2.remoteURI", "amqps://b2:61617");
    is(&p, "camel.component.sjms2.username", "admin");
    is(&p, "camel.component.sjms2.password", NULL);
    drom_props_free(&p);
}

Test(beans, mistakes_name_the_line)
{
    fails("camel.component.sjms2.connectionFactory=#bean:nope\n", 1, "refers to bean 'nope'");
    fails("camel.beans.cf=#class:com.example.MyFactory(\"tcp://b:1\")\n"
          "camel.component.sjms2.connectionFactory=#bean:cf\n",
          1, "is not one this runtime can stand in for");
    fails("camel.beans.cf=#class:org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory(\"(tcp://a:1,udp://b:2)\")\n"
          "camel.component.sjms2.connectionFactory=#bean:cf\n",
          1, "broker URL 'udp://b:2'");
    fails("camel.beans.cf=#class:org.apache.activemq.ActiveMQConnectionFactory(\"failover:tcp://a:1\")\n"
          "camel.component.sjms2.connectionFactory=#bean:cf\n",
          1, "written (url,url) or failover:(url,url)");
    fails("camel.component.sjms2.remoteURI=amqp://a:1\n"
          "camel.beans.cf=#class:org.apache.qpid.jms.JmsConnectionFactory(\"amqp://b:2\")\n"
          "camel.component.sjms2.connectionFactory=#bean:cf\n",
          3, "keep one");
    fails("camel.beans.cf=#class:org.apache.qpid.jms.JmsConnectionFactory(\"tcp://b:2\")\n"
          "camel.component.sjms2.connectionFactory=#bean:cf\n",
          1, "Qpid JMS takes amqp://");
    fails("camel.beans.cf=#class:org.apache.qpid.jms.JmsConnectionFactory(\"amqp://b:2\")\n"
          "camel.beans.cf.clientID=x\n"
          "camel.component.sjms2.connectionFactory=#bean:cf\n",
          2, "reads only the remoteURI, username or password");
}

/* A primary/backup pair: each factory's list becomes the amqp component's
 * failover:(...) remoteURI; Qpid JMS's own failover options stay with it. */
Test(beans, broker_lists_become_failover_uris)
{
    struct drom_props p = DROM_PROPS_INIT;
    struct drom_error err = {0};
    load(&p, "camel.beans.pair=#class:org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory("
             "\"(tcp://a:61616,tcp://b:61616?connectionTTL=5000)?ha=true&reconnectAttempts=-1\")\n"
             "camel.component.sjms2.connectionFactory=#bean:pair\n"
             "camel.beans.qpid=#class:org.apache.qpid.jms.JmsConnectionFactory("
             "\"failover:(amqp://a:5672,amqp://b:5672)?failover.maxReconnectAttempts=20\")\n"
             "camel.component.amqp.connectionFactory=#bean:qpid\n");
    cr_assert_eq(drom_beans_apply(&p, &err), 0, "%s", err.msg);
    is(&p, "camel.component.sjms2.remoteURI", "failover:(amqp://a:61616,amqp://b:61616)");
    is(&p, "camel.component.amqp.remoteURI", "failover:(amqp://a:5672,amqp://b:5672)?failover.maxReconnectAttempts=20");
    drom_props_free(&p);
}
