/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tap.h: a tiny test harness in the spirit of kselftest_harness.h.
 *
 * A test is a function registered with TEST(name). Each test runs in a
 * forked child, so a failed ASSERT_*() (or a crash) ends only that test.
 * The program prints one line per test, without numbers (the top-level
 * runner numbers them):
 *
 *	ok - <prog>: <test>
 *	not ok - <prog>: <test>
 *	ok - <prog>: <test> # SKIP <reason>
 *
 * Diagnostics are lines starting with "# ". The exit status is 0 iff no
 * test failed.
 *
 * EXPECT_*() records a failure and goes on; ASSERT_*() records it and ends
 * the test. Either prints the expression, both values (hex and decimal)
 * and errno. Integer comparisons are done on the mathematical values, so
 * an unsigned register value and a signed literal compare as expected.
 *
 * Cleanup: tap_defer(fn, arg) registers fn(arg) to run when the test ends,
 * in reverse order of registration, whether it passed, failed or skipped.
 *
 * A program that needs the module loaded with parameters says so with
 * TAP_MODULE_PARAMS("name=value ..."); "prog --module-params" prints them
 * for the runner.
 */
#ifndef IVGPU_SELFTESTS_TAP_H
#define IVGPU_SELFTESTS_TAP_H

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

struct tap_test {
	const char *name;
	void (*fn)(void);
	struct tap_test *next;
};

void tap_register(struct tap_test *test);
extern const char *tap_module_params;

#define TEST(test_fn)							\
	static void test_fn(void);					\
	static struct tap_test tap_test_##test_fn = {			\
		.name = #test_fn,					\
		.fn = test_fn,						\
	};								\
	static void __attribute__((constructor)) tap_reg_##test_fn(void) \
	{								\
		tap_register(&tap_test_##test_fn);			\
	}								\
	static void test_fn(void)

#define TAP_MODULE_PARAMS(params)					\
	static void __attribute__((constructor)) tap_set_params(void)	\
	{								\
		tap_module_params = (params);				\
	}

/* Print a "# " diagnostic line. */
void tap_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* End the current test as skipped. */
void tap_skip(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
#define SKIP(...) tap_skip(__VA_ARGS__)

/* Record a failure (with a diagnostic); end the test if fatal. */
void tap_fail(bool fatal, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* End the current test now, keeping what was recorded. */
void tap_end_test(void) __attribute__((noreturn));

void tap_defer(void (*fn)(void *), void *arg);

/*
 * Run fn in the harness process after every test, however the test ended
 * (e.g. to remove what a crashed test left behind).
 */
void tap_after_each(void (*fn)(void));

/* The program's name, as printed in result lines. */
const char *tap_prog(void);

/* ---- comparisons ---- */

struct tap_val {
	unsigned long long bits;	/* the value, sign-extended */
	bool is_signed;
};

#define TAP_IS_SIGNED(x)	((__typeof__(x))-1 < (__typeof__(x))1)
#define TAP_VAL(x)		((struct tap_val){			\
					.bits = (unsigned long long)(x), \
					.is_signed = TAP_IS_SIGNED(x) })

enum tap_op { TAP_EQ, TAP_NE, TAP_LT, TAP_LE, TAP_GT, TAP_GE };

bool tap_compare(struct tap_val a, enum tap_op op, struct tap_val b);
void tap_fail_cmp(bool fatal, const char *file, int line, const char *expr,
		  struct tap_val a, enum tap_op op, struct tap_val b, int err);

#define TAP_CMP(fatal, expr, a, op, b) do {				\
	__typeof__(a) __tap_a = (a);					\
	__typeof__(b) __tap_b = (b);					\
	int __tap_errno = errno;					\
	struct tap_val __tap_va = TAP_VAL(__tap_a);			\
	struct tap_val __tap_vb = TAP_VAL(__tap_b);			\
	if (!tap_compare(__tap_va, op, __tap_vb))			\
		tap_fail_cmp(fatal, __FILE__, __LINE__, expr,		\
			     __tap_va, op, __tap_vb, __tap_errno);	\
} while (0)

#define EXPECT_EQ(a, b)	TAP_CMP(false, "EXPECT_EQ(" #a ", " #b ")", \
				a, TAP_EQ, b)
#define EXPECT_NE(a, b)	TAP_CMP(false, "EXPECT_NE(" #a ", " #b ")", \
				a, TAP_NE, b)
#define EXPECT_LT(a, b)	TAP_CMP(false, "EXPECT_LT(" #a ", " #b ")", \
				a, TAP_LT, b)
#define EXPECT_LE(a, b)	TAP_CMP(false, "EXPECT_LE(" #a ", " #b ")", \
				a, TAP_LE, b)
#define EXPECT_GT(a, b)	TAP_CMP(false, "EXPECT_GT(" #a ", " #b ")", \
				a, TAP_GT, b)
#define EXPECT_GE(a, b)	TAP_CMP(false, "EXPECT_GE(" #a ", " #b ")", \
				a, TAP_GE, b)
#define ASSERT_EQ(a, b)	TAP_CMP(true, "ASSERT_EQ(" #a ", " #b ")", \
				a, TAP_EQ, b)
#define ASSERT_NE(a, b)	TAP_CMP(true, "ASSERT_NE(" #a ", " #b ")", \
				a, TAP_NE, b)
#define ASSERT_LT(a, b)	TAP_CMP(true, "ASSERT_LT(" #a ", " #b ")", \
				a, TAP_LT, b)
#define ASSERT_LE(a, b)	TAP_CMP(true, "ASSERT_LE(" #a ", " #b ")", \
				a, TAP_LE, b)
#define ASSERT_GT(a, b)	TAP_CMP(true, "ASSERT_GT(" #a ", " #b ")", \
				a, TAP_GT, b)
#define ASSERT_GE(a, b)	TAP_CMP(true, "ASSERT_GE(" #a ", " #b ")", \
				a, TAP_GE, b)

#define EXPECT_TRUE(x)	TAP_CMP(false, "EXPECT_TRUE(" #x ")", \
				!!(x), TAP_EQ, 1)
#define EXPECT_FALSE(x)	TAP_CMP(false, "EXPECT_FALSE(" #x ")", \
				!!(x), TAP_EQ, 0)
#define ASSERT_TRUE(x)	TAP_CMP(true, "ASSERT_TRUE(" #x ")", \
				!!(x), TAP_EQ, 1)
#define ASSERT_FALSE(x)	TAP_CMP(true, "ASSERT_FALSE(" #x ")", \
				!!(x), TAP_EQ, 0)

/*
 * EXPECT_OK/ASSERT_OK: the expression returns 0. Fits both conventions
 * (-1 with errno, and -errno); a failure names the error of either.
 */
void tap_fail_ok(bool fatal, const char *file, int line, const char *expr,
		 long long ret, int err);

#define TAP_OK(fatal, expr, x) do {					\
	long long __tap_r = (x);					\
	int __tap_errno = errno;					\
	if (__tap_r != 0)						\
		tap_fail_ok(fatal, __FILE__, __LINE__, expr,		\
			    __tap_r, __tap_errno);			\
} while (0)

#define EXPECT_OK(x)	TAP_OK(false, "EXPECT_OK(" #x ")", x)
#define ASSERT_OK(x)	TAP_OK(true, "ASSERT_OK(" #x ")", x)

/*
 * EXPECT_ERRNO/ASSERT_ERRNO: a syscall-style expression fails with errno
 * e: it returns -1 and sets errno to e.
 */
void tap_fail_errno(bool fatal, const char *file, int line, const char *expr,
		    long long ret, int err, int want);

#define TAP_ERRNO(fatal, expr, x, e) do {				\
	long long __tap_r;						\
	int __tap_errno;						\
	errno = 0;							\
	__tap_r = (x);							\
	__tap_errno = errno;						\
	if (__tap_r != -1 || __tap_errno != (e))			\
		tap_fail_errno(fatal, __FILE__, __LINE__, expr,		\
			       __tap_r, __tap_errno, (e));		\
} while (0)

#define EXPECT_ERRNO(x, e) \
	TAP_ERRNO(false, "EXPECT_ERRNO(" #x ", " #e ")", x, e)
#define ASSERT_ERRNO(x, e) \
	TAP_ERRNO(true, "ASSERT_ERRNO(" #x ", " #e ")", x, e)

/* Strings and memory. */
void tap_fail_str(bool fatal, const char *file, int line, const char *expr,
		  const char *a, const char *b);
void tap_fail_mem(bool fatal, const char *file, int line, const char *expr,
		  const void *a, const void *b, unsigned long len);

#define TAP_STREQ(fatal, expr, a, b) do {				\
	const char *__tap_sa = (a), *__tap_sb = (b);			\
	if (!__tap_sa || !__tap_sb || strcmp(__tap_sa, __tap_sb))	\
		tap_fail_str(fatal, __FILE__, __LINE__, expr,		\
			     __tap_sa, __tap_sb);			\
} while (0)

#define EXPECT_STREQ(a, b) \
	TAP_STREQ(false, "EXPECT_STREQ(" #a ", " #b ")", a, b)
#define ASSERT_STREQ(a, b) \
	TAP_STREQ(true, "ASSERT_STREQ(" #a ", " #b ")", a, b)

#define TAP_MEMEQ(fatal, expr, a, b, len) do {				\
	if (memcmp((a), (b), (len)))					\
		tap_fail_mem(fatal, __FILE__, __LINE__, expr,		\
			     (a), (b), (len));				\
} while (0)

#define EXPECT_MEMEQ(a, b, len) \
	TAP_MEMEQ(false, "EXPECT_MEMEQ(" #a ", " #b ", " #len ")", a, b, len)
#define ASSERT_MEMEQ(a, b, len) \
	TAP_MEMEQ(true, "ASSERT_MEMEQ(" #a ", " #b ", " #len ")", a, b, len)

#endif /* IVGPU_SELFTESTS_TAP_H */
