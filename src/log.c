/*
 * log.c: one escaped line per event on stderr, which the web server files.
 *
 * Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "log.h"

static enum log_level threshold = LOG_LEVEL_WARN;

static const char *const names[] = { "error", "warn", "info", "debug" };

/*
 * Parses "error", "warn", "info" or "debug" (any case).
 * Returns 0 and sets *out, or -1 when the name is unknown.
 */
int
log_level_parse(const char *s, enum log_level *out)
{
	size_t	 i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(s, names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	return -1;
}

void
log_set_level(enum log_level level)
{
	threshold = level;
}

static int
log_enabled(enum log_level level)
{
	return level <= threshold;
}

/*
 * Formats the message, escapes every byte that is not printable ASCII (so
 * request data can never forge a log line), and writes the whole line with
 * one write(2) so lines from several processes do not interleave.
 */
static void emit(enum log_level, const char *, va_list)
    __attribute__((format(printf, 2, 0)));

static void
emit(enum log_level level, const char *fmt, va_list ap)
{
	char		 msg[1024], line[4200];
	size_t		 n, i;
	int		 len;
	unsigned char	 c;

	if (!log_enabled(level))
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	len = snprintf(line, sizeof(line), "lockgate[%ld]: %s: ",
	    (long)getpid(), names[level]);
	if (len < 0)
		return;
	n = (size_t)len;
	for (i = 0; msg[i] != '\0' && n + 5 < sizeof(line); i++) {
		c = (unsigned char)msg[i];
		if (c >= 0x20 && c < 0x7f && c != '\\')
			line[n++] = (char)c;
		else
			n += (size_t)snprintf(line + n, 5, "\\x%02x", c);
	}
	line[n++] = '\n';
	/* Nothing sensible can be done when stderr itself fails. */
	if (write(STDERR_FILENO, line, n) < 0)
		return;
}

#define LOG_FN(fn, level)					\
void								\
fn(const char *fmt, ...)					\
{								\
	va_list	 ap;						\
								\
	va_start(ap, fmt);					\
	emit(level, fmt, ap);					\
	va_end(ap);						\
}

LOG_FN(log_error, LOG_LEVEL_ERROR)
LOG_FN(log_warn, LOG_LEVEL_WARN)
LOG_FN(log_info, LOG_LEVEL_INFO)
LOG_FN(log_debug, LOG_LEVEL_DEBUG)
