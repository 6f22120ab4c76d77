# SPDX-License-Identifier: GPL-2.0-only
#
#   make            build kernel/ivgpu.ko for KDIR
#   make test       set up what is missing, build for both kernels, run every test
#   make demo       set up what is missing, boot the test VM and show a vGPU
#   make modules    build ivgpu.ko for both Debian kernels into build/<release>/
#   make unit       userspace unit tests of the device-model core
#   make fuzz       fuzz the core, FUZZ_SECONDS (60) per target (tests/fuzz)
#   make bench      build, boot the test VM on each kernel, run the benchmarks, rewrite docs/benchmarks.md
#   make check      checkpatch, sparse and W=1 on both kernels
#   make install    modules_install and the uapi header (KDIR's kernel)
#   make deb        build ivgpu-dkms_<version>_all.deb into build/deb/ and run lintian on it
#   make test-deb   install, use and remove that package in a test VM of each kernel (slow)
#   make test-debug the selftests under a KASAN + lockdep + kmemleak + fault-injection
#                   6.12 kernel built here once (scripts/debug-kernel): before a release
#   make dkms-install    copy the sources to /usr/src/ivgpu-<version> and dkms install (root)
#   make dkms-uninstall  dkms remove from every kernel and delete those sources (root)

# Default: the running kernel's build dir, else the newest Debian headers.
KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
	$(shell ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1))
KERNELS := 6.1 6.12
FUZZ_SECONDS ?= 60
DESTDIR ?=
# DKMS package version: PACKAGE_VERSION in dkms.conf, its only place.
DKMS_VERSION = $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' dkms.conf)

all: module

module:
	$(MAKE) -C kernel KDIR=$(KDIR)

modules:
	@for k in $(KERNELS); do scripts/build-module $$k || exit 1; done

unit:
	$(MAKE) -C tests/unit run

selftests:
	$(MAKE) -C selftests

fuzz:
	$(MAKE) -C tests/fuzz run FUZZ_SECONDS=$(FUZZ_SECONDS)

bench:
	scripts/bench

test:
	scripts/test

demo:
	scripts/demo

deb:
	scripts/deb

test-deb:
	scripts/test-deb

test-debug:
	scripts/test-debug

check:
	scripts/check

install: module
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kernel modules_install
	install -D -m 0644 uapi/linux/ivgpu.h $(DESTDIR)/usr/include/linux/ivgpu.h

dkms-install:
	@if dkms status ivgpu/$(DKMS_VERSION) 2>/dev/null | grep -q .; then \
		dkms remove ivgpu/$(DKMS_VERSION) --all; fi
	rm -rf /usr/src/ivgpu-$(DKMS_VERSION)
	scripts/dkms-check --stage /usr/src/ivgpu-$(DKMS_VERSION)
	dkms install ivgpu/$(DKMS_VERSION)

dkms-uninstall:
	-dkms remove ivgpu/$(DKMS_VERSION) --all
	rm -rf /usr/src/ivgpu-$(DKMS_VERSION)

clean:
	rm -rf build
	-$(MAKE) -C bench clean
	-$(MAKE) -C kernel KDIR=$(KDIR) clean

.PHONY: all module modules unit fuzz bench selftests test demo deb test-deb test-debug check install dkms-install dkms-uninstall clean
