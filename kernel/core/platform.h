/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one header through which the device-model core reaches its
 * environment. The core is plain C: the same files build into the kernel
 * module and into the userspace unit tests and fuzzers. Nothing else in
 * kernel/core/ may include a kernel or libc header.
 */
#ifndef IVGPU_CORE_PLATFORM_H
#define IVGPU_CORE_PLATFORM_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/string.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/build_bug.h>
#include <asm/byteorder.h>
#include <uapi/linux/pci_regs.h>
#else
#include <linux/pci_regs.h>
#include <linux/types.h>
#include <endian.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define max_t(type, a, b) ((type)(a) > (type)(b) ? (type)(a) : (type)(b))
#define static_assert(expr, ...) ivgpu_static_assert(expr, ##__VA_ARGS__, #expr)
#define ivgpu_static_assert(expr, msg, ...) _Static_assert(expr, msg)
#define cpu_to_le16(x) ((__le16)htole16(x))
#define cpu_to_le32(x) ((__le32)htole32(x))
/* __packed comes from the compiler command line (tests/unit/Makefile). */
#endif

#define IVGPU_MIB(x) ((u64)(x) << 20)

/*
 * Memory for the core's lazily filled tables. Provided by the module glue
 * (kzalloc/kfree, process context) and by the test harness (calloc/free).
 * ivgpu_core_zalloc() returns zeroed memory or NULL.
 */
void *ivgpu_core_zalloc(size_t size);
void ivgpu_core_free(void *p);

/*
 * A monotonic clock in nanoseconds, for what the guest sees move with
 * time (the scan line). Provided by the module glue (ktime_get_ns) and by
 * the test harness (a clock the tests set).
 */
u64 ivgpu_core_now_ns(void);

struct ivgpu_core;

/*
 * The guest asked for something the device refuses (an unknown mailbox
 * command, a value out of range): the caller has counted it; this tells
 * the host. The module glue logs it rate-limited (dev_dbg_ratelimited, as
 * every guest-triggered line); the test harness counts the calls.
 */
void ivgpu_core_refused(const struct ivgpu_core *c, const char *what,
			u32 off, u32 val);

#endif /* IVGPU_CORE_PLATFORM_H */
