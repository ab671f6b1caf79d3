#include <string.h>

#include "elements.h"

#define END {.name = NULL}
#define IGN DROM_ATTR_IGNORED
#define REQ DROM_ATTR_REQUIRED

static const char *const levels[] = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF", NULL};
static const char *const patterns[] = {"InOnly", "InOut", NULL};
static const char *const json_libraries[] = {"Jackson", "Gson", "Fastjson", "Johnzon", "Jsonb", NULL};
static const char *const throttle_modes[] = {"TotalRequests", "ConcurrentRequests", NULL};

static const struct drom_attr_spec common_attrs[] = {
    {.name = "id", .kind = DROM_ATTR_STRING, .doc = "Node id (generated as Camel does when absent: to1, log1, ...)"},
    {.name = "description", .kind = DROM_ATTR_STRING, .doc = "Free text shown in graphs"},
    {.name = "disabled", .kind = DROM_ATTR_BOOL, .def = "false", .doc = "Leave this processor out of the route"},
    {.name = "note", .kind = DROM_ATTR_STRING, .flags = IGN, .doc = "Camel tooling note"},
    END,
};

static const struct drom_attr_spec no_attrs[] = {END};

static const struct drom_attr_spec root_attrs[] = {
    {.name = "id", .kind = DROM_ATTR_STRING, .doc = "Name of the set of routes"},
    END,
};

static const struct drom_attr_spec route_attrs[] = {
    {.name = "id", .kind = DROM_ATTR_STRING, .doc = "Route id, unique in the file (route1, route2, ... when absent)"},
    {.name = "description", .kind = DROM_ATTR_STRING, .doc = "Free text shown in graphs and /routes"},
    {.name = "autoStartup", .kind = DROM_ATTR_BOOL, .def = "true", .doc = "Start the route with dromd"},
    {.name = "group", .kind = DROM_ATTR_STRING, .flags = IGN, .doc = "Camel route group"},
    {.name = "nodePrefixId", .kind = DROM_ATTR_STRING, .flags = IGN, .doc = "Prefix of generated node ids"},
    {.name = "startupOrder", .kind = DROM_ATTR_INT, .flags = IGN, .doc = "Start order among routes"},
    {.name = "streamCache", .kind = DROM_ATTR_BOOL, .flags = IGN, .doc = "Stream caching (bodies are always bytes here)"},
    {.name = "trace", .kind = DROM_ATTR_BOOL, .flags = IGN, .doc = "Camel tracing"},
    {.name = "messageHistory", .kind = DROM_ATTR_BOOL, .flags = IGN, .doc = "Camel message history"},
    {.name = "logMask", .kind = DROM_ATTR_BOOL, .flags = IGN, .doc = "Masking of logs (secrets are always masked here)"},
    {.name = "routeConfigurationId", .kind = DROM_ATTR_STRING, .flags = IGN, .doc = "Route configurations to apply (all apply here)"},
    END,
};

static const struct drom_attr_spec from_attrs[] = {
    {.name = "uri", .kind = DROM_ATTR_URI, .flags = REQ, .doc = "The consumer endpoint, scheme:path?options"},
    {.name = "id", .kind = DROM_ATTR_STRING, .doc = "Node id"},
    {.name = "description", .kind = DROM_ATTR_STRING, .doc = "Free text"},
    END,
};

static const struct drom_attr_spec to_attrs[] = {
    {.name = "uri", .kind = DROM_ATTR_URI, .flags = REQ, .doc = "The producer endpoint, scheme:path?options"},
    {.name = "pattern", .kind = DROM_ATTR_ENUM, .values = patterns, .flags = IGN, .doc = "Exchange pattern (InOnly here)"},
    {.name = "variableSend", .kind = DROM_ATTR_STRING, .flags = IGN, .doc = "Camel variable to send"},
    {.name = "variableReceive", .kind = DROM_ATTR_STRING, .flags = IGN, .doc = "Camel variable to receive into"},
    END,
};

static const struct drom_attr_spec tod_attrs[] = {
    {.name = "uri", .kind = DROM_ATTR_SIMPLE, .flags = REQ, .doc = "Endpoint URI computed per exchange (Simple)"},
    {.name = "pattern", .kind = DROM_ATTR_ENUM, .values = patterns, .flags = IGN, .doc = "Exchange pattern (InOnly here)"},
    {.name = "cacheSize", .kind = DROM_ATTR_INT, .flags = IGN, .doc = "Endpoints kept open"},
    {.name = "ignoreInvalidEndpoint", .kind = DROM_ATTR_BOOL, .def = "false", .doc = "Skip an exchange whose URI is invalid instead of failing it"},
    {.name = "allowOptimisedComponents", .kind = DROM_ATTR_BOOL, .flags = IGN, .doc = "Camel optimisation"},
    {.name = "autoStartComponents", .kind = DROM_ATTR_BOOL, .flags = IGN, .doc = "Camel component start"},
    {.name = "variableSend", .kind = DROM_ATTR_STRING, .flags = IGN, .doc = "Camel variable to send"},
    {.name = "variableReceive", .kind = DROM_ATTR_STRING, .flags = IGN, .doc = "Camel variable to receive into"},
    END,
};

static const struct drom_attr_spec log_attrs[] = {
    {.name = "message", .kind = DROM_ATTR_SIMPLE, .flags = REQ, .doc = "What to log, a Simple template"},
    {.name = "loggingLevel", .kind = DROM_ATTR_ENUM, .def = "INFO", .values = levels, .doc = "Level of the line"},
    {.name = "logName", .kind = DROM_ATTR_STRING, .doc = "Logger name (the route id when absent)"},
    {.name = "marker", .kind = DROM_ATTR_STRING, .flags = IGN, .doc = "SLF4J marker"},
    {.name = "loggerRef", .kind = DROM_ATTR_STRING, .flags = IGN, .doc = "Logger bean"},
    END,
};

static const struct drom_attr_spec filter_attrs[] = {
    {.name = "statusPropertyName", .kind = DROM_ATTR_STRING, .flags = IGN, .doc = "Property recording the outcome"},
    END,
};

static const struct drom_attr_spec choice_attrs[] = {
    {.name = "precondition", .kind = DROM_ATTR_BOOL, .flags = IGN, .doc = "Select the branch once at startup"},
    END,
};

static const struct drom_attr_spec named_attrs[] = {
    {.name = "name", .kind = DROM_ATTR_STRING, .flags = REQ, .doc = "Header or property name"},
    END,
};

static const struct drom_attr_spec remove_headers_attrs[] = {
    {.name = "pattern", .kind = DROM_ATTR_STRING, .flags = REQ,
     .doc = "Names to remove: a name, a wildcard such as Camel*, or a regular expression"},
    {.name = "excludePattern", .kind = DROM_ATTR_STRING, .doc = "Names to keep although they match pattern"},
    END,
};

static const struct drom_attr_spec marshal_attrs[] = {
    {.name = "allowNullBody", .kind = DROM_ATTR_BOOL, .def = "false", .doc = "A null body stays null instead of failing"},
    {.name = "variableSend", .kind = DROM_ATTR_STRING, .flags = IGN, .doc = "Camel variable to send"},
    {.name = "variableReceive", .kind = DROM_ATTR_STRING, .flags = IGN, .doc = "Camel variable to receive into"},
    END,
};

static const struct drom_attr_spec json_attrs[] = {
    {.name = "id", .kind = DROM_ATTR_STRING, .doc = "Data format id"},
    {.name = "library", .kind = DROM_ATTR_ENUM, .def = "Jackson", .values = json_libraries,
     .doc = "Java library in Camel; all produce the same JSON here"},
    {.name = "prettyPrint", .kind = DROM_ATTR_BOOL, .def = "false", .doc = "Indent the JSON written by marshal"},
    {.name = "unmarshalType", .kind = DROM_ATTR_STRING, .flags = IGN, .doc = "Java class to unmarshal to (JSON stays JSON here)"},
    {.name = "include", .kind = DROM_ATTR_STRING, .flags = IGN, .doc = "Jackson inclusion rule"},
    {.name = "useList", .kind = DROM_ATTR_BOOL, .flags = IGN, .doc = "Unmarshal to a List"},
    {.name = "contentTypeHeader", .kind = DROM_ATTR_BOOL, .def = "true", .doc = "Set Content-Type: application/json"},
    END,
};

static const struct drom_attr_spec convert_attrs[] = {
    {.name = "type", .kind = DROM_ATTR_STRING, .flags = REQ,
     .doc = "Target type: java.lang.String, String, byte[], java.util.Map (JSON object)"},
    {.name = "mandatory", .kind = DROM_ATTR_BOOL, .def = "true", .doc = "Fail when the body cannot be converted"},
    {.name = "charset", .kind = DROM_ATTR_STRING, .doc = "Character set of the text (UTF-8 only)"},
    END,
};

static const struct drom_attr_spec multicast_attrs[] = {
    {.name = "parallelProcessing", .kind = DROM_ATTR_BOOL, .def = "false", .doc = "Send to the branches concurrently"},
    {.name = "stopOnException", .kind = DROM_ATTR_BOOL, .def = "false", .doc = "Stop at the first failing branch"},
    {.name = "streaming", .kind = DROM_ATTR_BOOL, .def = "false", .flags = IGN, .doc = "Aggregate out of order"},
    {.name = "timeout", .kind = DROM_ATTR_DURATION, .flags = IGN, .doc = "Total timeout"},
    {.name = "aggregationStrategy", .kind = DROM_ATTR_STRING, .flags = IGN, .doc = "Aggregation bean (the original exchange continues here)"},
    {.name = "shareUnitOfWork", .kind = DROM_ATTR_BOOL, .flags = IGN, .doc = "Camel unit of work"},
    {.name = "synchronous", .kind = DROM_ATTR_BOOL, .flags = IGN, .doc = "Camel threading"},
    END,
};

static const struct drom_attr_spec wiretap_attrs[] = {
    {.name = "uri", .kind = DROM_ATTR_URI, .flags = REQ, .doc = "The endpoint receiving the copy"},
    {.name = "copy", .kind = DROM_ATTR_BOOL, .def = "true", .doc = "Send a copy of the exchange"},
    {.name = "dynamicUri", .kind = DROM_ATTR_BOOL, .def = "true", .flags = IGN, .doc = "Evaluate the URI per exchange"},
    {.name = "pattern", .kind = DROM_ATTR_ENUM, .values = patterns, .flags = IGN, .doc = "Exchange pattern"},
    {.name = "cacheSize", .kind = DROM_ATTR_INT, .flags = IGN, .doc = "Endpoints kept open"},
    {.name = "ignoreInvalidEndpoint", .kind = DROM_ATTR_BOOL, .flags = IGN, .doc = "Skip invalid endpoints"},
    {.name = "executorService", .kind = DROM_ATTR_STRING, .flags = IGN, .doc = "Thread pool bean"},
    {.name = "onPrepare", .kind = DROM_ATTR_STRING, .flags = IGN, .doc = "Processor bean"},
    END,
};

static const struct drom_attr_spec split_attrs[] = {
    {.name = "streaming", .kind = DROM_ATTR_BOOL, .def = "false", .doc = "Split lazily (pieces are produced one by one)"},
    {.name = "stopOnException", .kind = DROM_ATTR_BOOL, .def = "false", .doc = "Stop at the first failing piece"},
    {.name = "parallelProcessing", .kind = DROM_ATTR_BOOL, .def = "false", .doc = "Process pieces concurrently"},
    {.name = "delimiter", .kind = DROM_ATTR_STRING, .def = ",", .doc = "Separator when the expression yields text"},
    {.name = "timeout", .kind = DROM_ATTR_DURATION, .flags = IGN, .doc = "Total timeout"},
    {.name = "aggregationStrategy", .kind = DROM_ATTR_STRING, .flags = IGN, .doc = "Aggregation bean (the original exchange continues here)"},
    {.name = "shareUnitOfWork", .kind = DROM_ATTR_BOOL, .flags = IGN, .doc = "Camel unit of work"},
    {.name = "synchronous", .kind = DROM_ATTR_BOOL, .flags = IGN, .doc = "Camel threading"},
    END,
};

static const struct drom_attr_spec throttle_attrs[] = {
    {.name = "timePeriodMillis", .kind = DROM_ATTR_DURATION, .def = "1000", .doc = "Period the maximum applies to"},
    {.name = "mode", .kind = DROM_ATTR_ENUM, .def = "TotalRequests", .values = throttle_modes,
     .doc = "Count requests per period, or requests in flight"},
    {.name = "rejectExecution", .kind = DROM_ATTR_BOOL, .def = "false", .doc = "Fail exchanges over the limit instead of delaying them"},
    {.name = "asyncDelayed", .kind = DROM_ATTR_BOOL, .def = "false", .flags = IGN, .doc = "Camel threading (delays never block a thread here)"},
    {.name = "callerRunsWhenRejected", .kind = DROM_ATTR_BOOL, .flags = IGN, .doc = "Camel threading"},
    END,
};

static const struct drom_attr_spec delay_attrs[] = {
    {.name = "asyncDelayed", .kind = DROM_ATTR_BOOL, .def = "true", .flags = IGN, .doc = "Camel threading (delays never block a thread here)"},
    {.name = "callerRunsWhenRejected", .kind = DROM_ATTR_BOOL, .flags = IGN, .doc = "Camel threading"},
    END,
};

static const struct drom_attr_spec on_exception_attrs[] = {
    {.name = "useOriginalMessage", .kind = DROM_ATTR_BOOL, .def = "false", .doc = "Hand the original input message to the steps"},
    {.name = "useOriginalBody", .kind = DROM_ATTR_BOOL, .def = "false", .doc = "Hand the original body to the steps"},
    {.name = "redeliveryPolicyRef", .kind = DROM_ATTR_STRING, .flags = IGN, .doc = "Redelivery policy bean"},
    {.name = "onRedeliveryRef", .kind = DROM_ATTR_STRING, .flags = IGN, .doc = "Processor bean"},
    {.name = "onExceptionOccurredRef", .kind = DROM_ATTR_STRING, .flags = IGN, .doc = "Processor bean"},
    END,
};

static const struct drom_attr_spec redelivery_attrs[] = {
    {.name = "maximumRedeliveries", .kind = DROM_ATTR_INT, .def = "0", .doc = "Redeliveries before giving up (-1: forever)"},
    {.name = "redeliveryDelay", .kind = DROM_ATTR_DURATION, .def = "1000", .doc = "Wait before the first redelivery"},
    {.name = "maximumRedeliveryDelay", .kind = DROM_ATTR_DURATION, .def = "60000", .doc = "Longest wait between redeliveries"},
    {.name = "useExponentialBackOff", .kind = DROM_ATTR_BOOL, .def = "false", .doc = "Multiply the wait after each attempt"},
    {.name = "backOffMultiplier", .kind = DROM_ATTR_NUMBER, .def = "2.0", .doc = "Factor for the exponential back-off"},
    {.name = "logExhausted", .kind = DROM_ATTR_BOOL, .def = "true", .doc = "Log when redeliveries are exhausted"},
    {.name = "useCollisionAvoidance", .kind = DROM_ATTR_BOOL, .flags = IGN, .doc = "Random jitter of the wait"},
    {.name = "collisionAvoidanceFactor", .kind = DROM_ATTR_NUMBER, .flags = IGN, .doc = "Jitter factor"},
    {.name = "delayPattern", .kind = DROM_ATTR_STRING, .flags = IGN, .doc = "Delay per attempt range"},
    {.name = "retryAttemptedLogLevel", .kind = DROM_ATTR_ENUM, .values = levels, .flags = IGN, .doc = "Level of the retry log line"},
    {.name = "retriesExhaustedLogLevel", .kind = DROM_ATTR_ENUM, .values = levels, .flags = IGN, .doc = "Level of the exhausted log line"},
    {.name = "logStackTrace", .kind = DROM_ATTR_BOOL, .flags = IGN, .doc = "Log stack traces"},
    {.name = "logRetryAttempted", .kind = DROM_ATTR_BOOL, .flags = IGN, .doc = "Log each retry"},
    {.name = "logHandled", .kind = DROM_ATTR_BOOL, .flags = IGN, .doc = "Log handled failures"},
    {.name = "logExhaustedMessageHistory", .kind = DROM_ATTR_BOOL, .flags = IGN, .doc = "Log message history"},
    {.name = "logExhaustedMessageBody", .kind = DROM_ATTR_BOOL, .flags = IGN, .doc = "Log the body when exhausted"},
    {.name = "asyncDelayedRedelivery", .kind = DROM_ATTR_BOOL, .flags = IGN, .doc = "Camel threading (waits never block here)"},
    {.name = "disableRedelivery", .kind = DROM_ATTR_BOOL, .flags = IGN, .doc = "Same as maximumRedeliveries=0"},
    {.name = "allowRedeliveryWhileStopping", .kind = DROM_ATTR_BOOL, .flags = IGN, .doc = "Redeliver during shutdown"},
    END,
};

static const struct drom_attr_spec dlc_attrs[] = {
    {.name = "deadLetterUri", .kind = DROM_ATTR_URI, .flags = REQ, .doc = "Where failed exchanges go after the redeliveries"},
    {.name = "useOriginalMessage", .kind = DROM_ATTR_BOOL, .def = "false", .doc = "Send the original input message, not the failed one"},
    {.name = "useOriginalBody", .kind = DROM_ATTR_BOOL, .def = "false", .doc = "Send the original body with the current headers"},
    {.name = "id", .kind = DROM_ATTR_STRING, .doc = "Error handler id"},
    {.name = "redeliveryPolicyRef", .kind = DROM_ATTR_STRING, .flags = IGN, .doc = "Redelivery policy bean"},
    {.name = "deadLetterHandleNewException", .kind = DROM_ATTR_BOOL, .flags = IGN, .doc = "Handle failures of the dead letter endpoint"},
    {.name = "level", .kind = DROM_ATTR_ENUM, .values = levels, .flags = IGN, .doc = "Logging level"},
    END,
};

static const struct drom_attr_spec deh_attrs[] = {
    {.name = "id", .kind = DROM_ATTR_STRING, .doc = "Error handler id"},
    {.name = "useOriginalMessage", .kind = DROM_ATTR_BOOL, .def = "false", .doc = "Keep the original message on failure"},
    {.name = "useOriginalBody", .kind = DROM_ATTR_BOOL, .def = "false", .doc = "Keep the original body on failure"},
    {.name = "redeliveryPolicyRef", .kind = DROM_ATTR_STRING, .flags = IGN, .doc = "Redelivery policy bean"},
    {.name = "level", .kind = DROM_ATTR_ENUM, .values = levels, .flags = IGN, .doc = "Logging level"},
    END,
};

static const struct drom_attr_spec expr_attrs[] = {
    {.name = "id", .kind = DROM_ATTR_STRING, .doc = "Expression id"},
    {.name = "trim", .kind = DROM_ATTR_BOOL, .def = "true", .flags = IGN, .doc = "Trim the text (always done)"},
    {.name = "resultType", .kind = DROM_ATTR_STRING, .flags = IGN, .doc = "Java result type"},
    END,
};

static const struct drom_attr_spec jsonpath_attrs[] = {
    {.name = "id", .kind = DROM_ATTR_STRING, .doc = "Expression id"},
    {.name = "trim", .kind = DROM_ATTR_BOOL, .def = "true", .flags = IGN, .doc = "Trim the text (always done)"},
    {.name = "resultType", .kind = DROM_ATTR_STRING, .flags = IGN, .doc = "Java result type"},
    {.name = "suppressExceptions", .kind = DROM_ATTR_BOOL, .def = "false", .flags = IGN,
     .doc = "A missing path yields null (always so here)"},
    {.name = "writeAsString", .kind = DROM_ATTR_BOOL, .flags = IGN, .doc = "Results are JSON text here"},
    {.name = "unpackArray", .kind = DROM_ATTR_BOOL, .flags = IGN, .doc = "Unwrap one-element arrays"},
    {.name = "allowSimple", .kind = DROM_ATTR_BOOL, .flags = IGN, .doc = "Simple inside the path"},
    {.name = "source", .kind = DROM_ATTR_STRING, .flags = IGN, .doc = "Read from a header or variable (the body here)"},
    END,
};

static const struct drom_attr_spec route_configuration_attrs[] = {
    {.name = "id", .kind = DROM_ATTR_STRING, .doc = "Configuration id (every configuration applies to every route)"},
    {.name = "description", .kind = DROM_ATTR_STRING, .doc = "Free text"},
    END,
};

static const char *const root_children[] = {"route", "routeConfiguration", "errorHandler", NULL};
static const char *const routes_children[] = {"route", NULL};
static const char *const route_children[] = {"from", "errorHandler", "onException", NULL};
static const char *const choice_children[] = {"when", "otherwise", NULL};
static const char *const marshal_children[] = {"json", NULL};
static const char *const on_exception_children[] = {"exception", "handled", "continued", "redeliveryPolicy", NULL};
static const char *const error_handler_children[] = {"deadLetterChannel", "defaultErrorHandler", "noErrorHandler", NULL};
static const char *const policy_children[] = {"redeliveryPolicy", NULL};
static const char *const route_configuration_children[] = {"onException", "errorHandler", NULL};

#define STEPS DROM_CONTENT_STEPS
#define EXPR DROM_CONTENT_EXPR
#define TEXT DROM_CONTENT_TEXT

static const struct drom_elem_spec elements[] = {
    {"camel", DROM_EL_ROOT, root_attrs, 0, root_children, "Root holding routes, route configurations and a global error handler"},
    {"routes", DROM_EL_ROOT, root_attrs, 0, routes_children, "Root holding routes"},
    {"routeConfiguration", DROM_EL_PART, route_configuration_attrs, 0, route_configuration_children,
     "onException clauses and an error handler for every route of the file"},
    {"route", DROM_EL_ROUTE, route_attrs, STEPS, route_children,
     "A route: one from, then processors; may also be the root of a file"},
    {"from", DROM_EL_FROM, from_attrs, 0, NULL, "The route's consumer endpoint; exactly one per route"},
    {"to", DROM_EL_STEP, to_attrs, 0, NULL, "Send the exchange to an endpoint"},
    {"toD", DROM_EL_STEP, tod_attrs, 0, NULL, "Send to an endpoint whose URI is computed per exchange"},
    {"log", DROM_EL_STEP, log_attrs, 0, NULL, "Log a Simple message"},
    {"filter", DROM_EL_STEP, filter_attrs, EXPR | STEPS, NULL, "Run the steps only for exchanges matching the predicate"},
    {"choice", DROM_EL_STEP, choice_attrs, 0, choice_children, "Content-based router: the first matching when, else otherwise"},
    {"when", DROM_EL_PART, common_attrs, EXPR | STEPS, NULL, "A branch of choice with its predicate"},
    {"otherwise", DROM_EL_PART, common_attrs, STEPS, NULL, "The branch of choice taken when no when matched"},
    {"setHeader", DROM_EL_STEP, named_attrs, EXPR, NULL, "Set a header to the expression's value"},
    {"setProperty", DROM_EL_STEP, named_attrs, EXPR, NULL, "Set an exchange property to the expression's value"},
    {"setBody", DROM_EL_STEP, no_attrs, EXPR, NULL, "Replace the body with the expression's value"},
    {"removeHeader", DROM_EL_STEP, named_attrs, 0, NULL, "Remove one header"},
    {"removeHeaders", DROM_EL_STEP, remove_headers_attrs, 0, NULL, "Remove the headers matching a pattern"},
    {"marshal", DROM_EL_STEP, marshal_attrs, 0, marshal_children, "Write the body in a data format (json)"},
    {"unmarshal", DROM_EL_STEP, marshal_attrs, 0, marshal_children, "Read the body from a data format (json)"},
    {"json", DROM_EL_DATAFORMAT, json_attrs, 0, NULL, "The JSON data format"},
    {"convertBodyTo", DROM_EL_STEP, convert_attrs, 0, NULL, "Convert the body to another type"},
    {"multicast", DROM_EL_STEP, multicast_attrs, STEPS, NULL, "Send a copy of the exchange to each child step"},
    {"wireTap", DROM_EL_STEP, wiretap_attrs, 0, NULL, "Send a copy to an endpoint without waiting (fire and forget)"},
    {"split", DROM_EL_STEP, split_attrs, EXPR | STEPS, NULL, "Run the steps once per element of a JSON array or piece of text"},
    {"throttle", DROM_EL_STEP, throttle_attrs, EXPR, NULL, "Let at most N exchanges through per period"},
    {"delay", DROM_EL_STEP, delay_attrs, EXPR, NULL, "Wait the expression's number of milliseconds"},
    {"stop", DROM_EL_STEP, no_attrs, 0, NULL, "Stop routing this exchange (it counts as done)"},
    {"onException", DROM_EL_PART, on_exception_attrs, STEPS, on_exception_children,
     "What to do when a step fails with one of the listed exceptions"},
    {"exception", DROM_EL_PART, no_attrs, TEXT, NULL, "An exception class name that onException matches"},
    {"handled", DROM_EL_PART, no_attrs, EXPR, NULL, "Predicate: the failure is handled (the exchange is done)"},
    {"continued", DROM_EL_PART, no_attrs, EXPR, NULL, "Predicate: handle the failure and continue the route"},
    {"redeliveryPolicy", DROM_EL_PART, redelivery_attrs, 0, NULL, "How often and how long to wait between redeliveries"},
    {"errorHandler", DROM_EL_PART, root_attrs, 0, error_handler_children, "The route's (or, at the top, every route's) error handler"},
    {"deadLetterChannel", DROM_EL_PART, dlc_attrs, 0, policy_children, "Redeliver, then send to deadLetterUri"},
    {"defaultErrorHandler", DROM_EL_PART, deh_attrs, 0, policy_children, "Redeliver, then log and fail the exchange"},
    {"noErrorHandler", DROM_EL_PART, root_attrs, 0, NULL, "Fail the exchange at once"},
    {"simple", DROM_EL_EXPRESSION, expr_attrs, TEXT, NULL, "Simple language (docs/expressions.md)"},
    {"constant", DROM_EL_EXPRESSION, expr_attrs, TEXT, NULL, "A fixed value"},
    {"header", DROM_EL_EXPRESSION, expr_attrs, TEXT, NULL, "The value of the named header"},
    {"jsonpath", DROM_EL_EXPRESSION, jsonpath_attrs, TEXT, NULL, "A JSONPath over the body (a documented subset)"},
};

#define NELEM (sizeof elements / sizeof elements[0])

const struct drom_elem_spec *drom_elem_find(const char *name)
{
    for (size_t i = 0; i < NELEM; i++)
        if (strcmp(elements[i].name, name) == 0)
            return &elements[i];
    return NULL;
}

const struct drom_elem_spec *drom_elem_all(size_t *n)
{
    *n = NELEM;
    return elements;
}

const struct drom_attr_spec *drom_elem_common_attrs(void)
{
    return common_attrs;
}

static const struct drom_attr_spec *find_attr(const struct drom_attr_spec *list, const char *name)
{
    for (const struct drom_attr_spec *a = list; a && a->name; a++)
        if (strcmp(a->name, name) == 0)
            return a;
    return NULL;
}

const struct drom_attr_spec *drom_elem_attr(const struct drom_elem_spec *e, const char *name)
{
    const struct drom_attr_spec *a = find_attr(e->attrs, name);
    if (!a && e->role == DROM_EL_STEP)
        a = find_attr(common_attrs, name);
    return a;
}

bool drom_elem_allows_child(const struct drom_elem_spec *parent, const struct drom_elem_spec *child)
{
    if ((parent->content & DROM_CONTENT_STEPS) && child->role == DROM_EL_STEP)
        return true;
    if ((parent->content & DROM_CONTENT_EXPR) && child->role == DROM_EL_EXPRESSION)
        return true;
    for (const char *const *c = parent->children; c && *c; c++)
        if (strcmp(*c, child->name) == 0)
            return true;
    return false;
}

/* Camel 4's XML DSL elements that dromedary leaves out, so that a Camel
 * route gets "not supported" rather than "unknown". */
static const char *const camel_only[] = {
    "aggregate", "bean", "circuitBreaker", "claimCheck", "convertHeaderTo", "convertVariableTo", "doCatch",
    "doFinally", "doTry", "dynamicRouter", "enrich", "idempotentConsumer", "intercept", "interceptFrom",
    "interceptSendToEndpoint", "kamelet", "loadBalance", "loop", "onCompletion", "pausable", "pipeline",
    "policy", "poll", "pollEnrich", "process", "recipientList", "removeProperties", "removeProperty",
    "removeVariable", "resequence", "resumable", "rollback", "routingSlip", "saga", "sample", "script",
    "serviceCall", "setExchangePattern", "setHeaders", "setVariable", "setVariables", "sort", "step",
    "threads", "throwException", "tokenizer", "transacted", "transform", "validate", "routeTemplate",
    "templatedRoute", "rest", "beans", "bean", "onWhen", "retryWhile", "exchangeProperty", "variable",
    "tokenize", "xpath", "groovy", "method", "jq", "jaxb", "xmlJson", "csv", "avro", "protobuf", "base64",
    NULL,
};

bool drom_elem_is_camel_only(const char *name)
{
    for (const char *const *c = camel_only; *c; c++)
        if (strcmp(*c, name) == 0)
            return true;
    return false;
}
