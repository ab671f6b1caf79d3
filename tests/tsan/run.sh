#!/bin/sh
# The engine, EIP, error-handler and component route tests under
# ThreadSanitizer, without Criterion's runner (it cannot start under TSan).
# Needs build/tsan/libdrom.a: make BUILD=build/tsan OPT="-O1 -g -fsanitize=thread" LDFLAGS=-fsanitize=thread build/tsan/libdrom.a
set -e
cd "$(dirname "$0")/../.."
PKGS="libxml-2.0 jansson libmariadb rdkafka libqpid-proton libmicrohttpd libsystemd libzstd libpcre2-8 openssl"
gcc -std=c17 -D_GNU_SOURCE -O1 -g -fsanitize=thread -pthread -Itests/tsan -I. $(pkg-config --cflags $PKGS) \
    -o build/tsan/engine-tsan tests/tsan/main.c tests/unit/test_engine.c tests/unit/test_eip_basic.c \
    tests/unit/test_eip_flow.c tests/unit/test_errhandler.c tests/unit/test_components_core.c \
    tests/unit/test_watermark.c tests/support/testenv.c build/tsan/libdrom.a $(pkg-config --libs $PKGS) -lm
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" build/tsan/engine-tsan "$@"
