// SPDX-License-Identifier: GPL-2.0-only
/*
 * tap.c: the harness behind tap.h: test registry, the per-test child
 * process, failure reporting and main().
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"

#define TAP_DEFAULT_TIMEOUT	120	/* seconds per test */
#define TAP_MAX_DEFERRED	64
#define TAP_MAX_HOOKS		8

const char *tap_module_params = "";

/* Registered tests, in definition order. */
static struct tap_test *tap_tests, **tap_tail = &tap_tests;

/* Result of the running test, shared between the child and the harness. */
struct tap_result {
	bool failed;
	bool skipped;
	char skip_reason[256];
};
static struct tap_result *tap_result;

/* Cleanups of the running test (child side only). */
static struct {
	void (*fn)(void *);
	void *arg;
} tap_deferred[TAP_MAX_DEFERRED];
static int tap_nr_deferred;

static void (*tap_hooks[TAP_MAX_HOOKS])(void);
static int tap_nr_hooks;

void tap_register(struct tap_test *test)
{
	*tap_tail = test;
	tap_tail = &test->next;
}

const char *tap_prog(void)
{
	return program_invocation_short_name;
}

static void tap_vlog(const char *fmt, va_list ap)
{
	char buf[4096], *line, *save;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		printf("# %s\n", line);
	fflush(stdout);
}

void tap_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vlog(fmt, ap);
	va_end(ap);
}

void tap_defer(void (*fn)(void *), void *arg)
{
	if (tap_nr_deferred == TAP_MAX_DEFERRED)
		tap_fail(true, __FILE__, __LINE__, "too many deferred cleanups");
	tap_deferred[tap_nr_deferred].fn = fn;
	tap_deferred[tap_nr_deferred].arg = arg;
	tap_nr_deferred++;
}

void tap_after_each(void (*fn)(void))
{
	if (tap_nr_hooks < TAP_MAX_HOOKS)
		tap_hooks[tap_nr_hooks++] = fn;
}

void tap_end_test(void)
{
	/* Pop before calling, so a cleanup that fails fatally goes on here. */
	while (tap_nr_deferred > 0) {
		tap_nr_deferred--;
		tap_deferred[tap_nr_deferred].fn(tap_deferred[tap_nr_deferred].arg);
	}
	fflush(stdout);
	fflush(stderr);
	_exit(0);
}

void tap_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tap_result->skip_reason, sizeof(tap_result->skip_reason),
		  fmt, ap);
	va_end(ap);
	tap_result->skipped = true;
	tap_end_test();
}

void tap_fail(bool fatal, const char *file, int line, const char *fmt, ...)
{
	char msg[3072];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	tap_log("%s:%d: %s", file, line, msg);
	tap_result->failed = true;
	if (fatal)
		tap_end_test();
}

/* ---- comparisons ---- */

static bool tap_negative(struct tap_val v)
{
	return v.is_signed && (long long)v.bits < 0;
}

/* -1, 0, 1 as a is below, equal to or above b, as integers. */
static int tap_order(struct tap_val a, struct tap_val b)
{
	bool na = tap_negative(a), nb = tap_negative(b);

	if (na != nb)
		return na ? -1 : 1;
	if (na)
		return (long long)a.bits < (long long)b.bits ? -1 :
		       (long long)a.bits > (long long)b.bits;
	return a.bits < b.bits ? -1 : a.bits > b.bits;
}

bool tap_compare(struct tap_val a, enum tap_op op, struct tap_val b)
{
	int o = tap_order(a, b);

	switch (op) {
	case TAP_EQ: return o == 0;
	case TAP_NE: return o != 0;
	case TAP_LT: return o < 0;
	case TAP_LE: return o <= 0;
	case TAP_GT: return o > 0;
	case TAP_GE: return o >= 0;
	}
	return false;
}

static const char *tap_errname(int err)
{
	const char *name = err ? strerrorname_np(err) : "none";

	return name ? name : "?";
}

/* s as a C string literal body: escapes for quotes and unprintables. */
static const char *tap_escape(char *buf, size_t len, const char *s)
{
	size_t n = 0;

	if (!s)
		return "(null)";
	for (; *s && n + 5 < len; s++) {
		unsigned char c = *s;

		if (c == '\n')
			n += snprintf(buf + n, len - n, "\\n");
		else if (c == '"' || c == '\\')
			n += snprintf(buf + n, len - n, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			n += snprintf(buf + n, len - n, "\\x%02x", c);
		else
			buf[n++] = c;
	}
	buf[n] = '\0';
	return buf;
}

static void tap_fmt_val(char *buf, size_t len, struct tap_val v)
{
	if (tap_negative(v))
		snprintf(buf, len, "0x%llx (%lld)", v.bits, (long long)v.bits);
	else
		snprintf(buf, len, "0x%llx (%llu)", v.bits, v.bits);
}

void tap_fail_cmp(bool fatal, const char *file, int line, const char *expr,
		  struct tap_val a, enum tap_op op, struct tap_val b, int err)
{
	/* The relation that holds instead of the asserted one. */
	static const char *const failed_op[] = {
		[TAP_EQ] = "!=", [TAP_NE] = "==", [TAP_LT] = ">=",
		[TAP_LE] = ">", [TAP_GT] = "<=", [TAP_GE] = "<",
	};
	char va[64], vb[64];

	tap_fmt_val(va, sizeof(va), a);
	tap_fmt_val(vb, sizeof(vb), b);
	tap_fail(fatal, file, line, "%s: %s %s %s; errno %d (%s)", expr, va,
		 failed_op[op], vb, err, tap_errname(err));
}

void tap_fail_ok(bool fatal, const char *file, int line, const char *expr,
		 long long ret, int err)
{
	if (ret < -1 && ret >= -4095)
		tap_fail(fatal, file, line, "%s: returned %lld (-%s)", expr,
			 ret, tap_errname((int)-ret));
	else
		tap_fail(fatal, file, line, "%s: returned %lld; errno %d (%s)",
			 expr, ret, err, tap_errname(err));
}

void tap_fail_errno(bool fatal, const char *file, int line, const char *expr,
		    long long ret, int err, int want)
{
	tap_fail(fatal, file, line,
		 "%s: returned %lld with errno %d (%s); expected -1 with errno %d (%s)",
		 expr, ret, err, tap_errname(err), want, tap_errname(want));
}

void tap_fail_str(bool fatal, const char *file, int line, const char *expr,
		  const char *a, const char *b)
{
	char ea[1024], eb[1024];

	tap_fail(fatal, file, line, "%s:\n  got:      \"%s\"\n  expected: \"%s\"",
		 expr, tap_escape(ea, sizeof(ea), a),
		 tap_escape(eb, sizeof(eb), b));
}

void tap_fail_mem(bool fatal, const char *file, int line, const char *expr,
		  const void *a, const void *b, unsigned long len)
{
	const unsigned char *pa = a, *pb = b;
	unsigned long i;

	for (i = 0; i < len && pa[i] == pb[i]; i++)
		;
	tap_fail(fatal, file, line,
		 "%s: first difference at byte 0x%lx: 0x%02x != 0x%02x",
		 expr, i, pa[i], pb[i]);
}

/* ---- running tests ---- */

static unsigned int tap_timeout(void)
{
	const char *env = getenv("TAP_TIMEOUT");

	return env && atoi(env) > 0 ? atoi(env) : TAP_DEFAULT_TIMEOUT;
}

/* Wait for pid for up to secs seconds; true if it was reaped. */
static bool tap_wait(pid_t pid, int *status, unsigned int secs)
{
	struct timespec tick = { .tv_nsec = 10 * 1000 * 1000 };
	unsigned long ticks = secs * 100UL;

	while (ticks--) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid)
			return true;
		if (r < 0 && errno != EINTR)
			return false;
		nanosleep(&tick, NULL);
	}
	return false;
}

static void tap_run_child(struct tap_test *test)
{
	tap_nr_deferred = 0;
	test->fn();
	tap_end_test();
}

/* Run one test; false if the harness cannot go on. */
static bool tap_run(struct tap_test *test, bool *failed)
{
	bool reaped, ok;
	int status = 0, i;
	pid_t pid;

	memset(tap_result, 0, sizeof(*tap_result));
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		tap_log("fork: %s", strerror(errno));
		return false;
	}
	if (pid == 0)
		tap_run_child(test);

	reaped = tap_wait(pid, &status, tap_timeout());
	if (!reaped) {
		tap_log("%s: timed out after %u s", test->name, tap_timeout());
		kill(pid, SIGKILL);
		reaped = tap_wait(pid, &status, 10);
		tap_result->failed = true;
	}
	if (reaped && WIFSIGNALED(status)) {
		tap_log("%s: killed by signal %d (%s)", test->name,
			WTERMSIG(status), strsignal(WTERMSIG(status)));
		tap_result->failed = true;
	} else if (reaped && WEXITSTATUS(status)) {
		tap_log("%s: exited with status %d", test->name,
			WEXITSTATUS(status));
		tap_result->failed = true;
	}

	ok = !tap_result->failed;
	if (ok && tap_result->skipped)
		printf("ok - %s: %s # SKIP %s\n", tap_prog(), test->name,
		       tap_result->skip_reason);
	else
		printf("%s - %s: %s\n", ok ? "ok" : "not ok", tap_prog(),
		       test->name);
	fflush(stdout);
	*failed |= !ok;

	if (!reaped) {
		tap_log("Bail out: the test process is stuck in the kernel");
		return false;
	}
	for (i = 0; i < tap_nr_hooks; i++)
		tap_hooks[i]();
	return true;
}

static bool tap_selected(const char *name, char **only, int nr_only)
{
	int i;

	if (!nr_only)
		return true;
	for (i = 0; i < nr_only; i++)
		if (!strcmp(name, only[i]))
			return true;
	return false;
}

static void tap_usage(void)
{
	fprintf(stderr,
		"usage: %s [-l] [-t TEST]... [--module-params]\n"
		"  -l               list the tests\n"
		"  -t TEST          run only TEST (repeatable)\n"
		"  --module-params  print the module parameters this program needs\n",
		tap_prog());
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "module-params", no_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	char *only[argc];	/* the -t names; argc bounds their number */
	bool failed = false, list = false;
	struct tap_test *test;
	int nr_only = 0, c;

	while ((c = getopt_long(argc, argv, "lt:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			list = true;
			break;
		case 't':
			only[nr_only++] = optarg;
			break;
		case 'm':
			printf("%s\n", tap_module_params);
			return 0;
		default:
			tap_usage();
			return c == 'h' ? 0 : 2;
		}
	}

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (list) {
		for (test = tap_tests; test; test = test->next)
			printf("%s\n", test->name);
		return 0;
	}

	tap_result = mmap(NULL, sizeof(*tap_result), PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (tap_result == MAP_FAILED) {
		perror("mmap");
		return 1;
	}

	for (test = tap_tests; test; test = test->next) {
		if (!tap_selected(test->name, only, nr_only))
			continue;
		if (!tap_run(test, &failed))
			return 1;
	}
	return failed ? 1 : 0;
}
