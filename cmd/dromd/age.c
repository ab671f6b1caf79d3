#include <stdio.h>

#include "cmd/dromd/age.h"

const char *dromd_age(int64_t ms, char *buf, size_t size)
{
    if (ms < 0)
        ms = 0;
    int64_t s = ms / 1000, m = s / 60, h = m / 60, d = h / 24;
    if (s == 0)
        snprintf(buf, size, "%lldms", (long long)ms);
    else if (m == 0)
        snprintf(buf, size, "%llds", (long long)s);
    else if (h == 0)
        snprintf(buf, size, "%lldm%llds", (long long)m, (long long)(s % 60));
    else if (d == 0)
        snprintf(buf, size, "%lldh%lldm", (long long)h, (long long)(m % 60));
    else
        snprintf(buf, size, "%lldd%lldh", (long long)d, (long long)(h % 24));
    return buf;
}
