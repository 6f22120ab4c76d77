/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * ivgpu: userspace-visible layout of an ivgpu vGPU.
 *
 * A vGPU is a vfio-pci device. This header names what a VFIO user (QEMU,
 * a test, a management tool) can rely on beyond <linux/vfio.h>: the PCI
 * identity, the BAR0 layout (MMIO, PV info page, GGTT) and the PV info page
 * fields, which follow the i915 "vgt_if" contract.
 */
#ifndef _UAPI_LINUX_IVGPU_H
#define _UAPI_LINUX_IVGPU_H

#include <linux/types.h>

/* PCI identity of every vGPU (a Gen9 "Skylake GT2" programming model). */
#define IVGPU_PCI_VENDOR_ID		0x8086
#define IVGPU_PCI_DEVICE_ID		0x1912
#define IVGPU_PCI_REVISION		0x06
#define IVGPU_PCI_CLASS			0x030000	/* VGA compatible */
#define IVGPU_PCI_SUBSYS_VENDOR_ID	0x8086
#define IVGPU_PCI_SUBSYS_ID		0x2212

/* Config space: capability offsets and the graphics control register. */
#define IVGPU_CFG_SIZE			0x100
#define IVGPU_CFG_MSI_CAP		0xac
#define IVGPU_CFG_PM_CAP		0xd0
#define IVGPU_CFG_GMCH_CTRL		0x50	/* 16 bit, read-only */
#define IVGPU_GMCH_CTRL_VALUE		0x00c0	/* GGMS=3: 8 MiB GGTT, GMS=0 */
#define IVGPU_CFG_ASLS			0xfc	/* 32 bit, RW: OpRegion address */

/* BAR0 (GTTMMADR): 16 MiB, 64-bit, non-prefetchable. */
#define IVGPU_BAR0_SIZE			0x1000000
#define IVGPU_MMIO_SIZE			0x200000	/* registers: [0, 2 MiB) */
#define IVGPU_PVINFO_OFFSET		0x78000		/* struct ivgpu_vgt_if */
#define IVGPU_PVINFO_SIZE		0x1000
#define IVGPU_GGTT_OFFSET		0x800000	/* 8-byte PTEs from +8 MiB */
#define IVGPU_GGTT_SIZE			0x800000	/* 1M entries: 4 GiB GM */

/* Gen8+ GGTT PTE. */
#define IVGPU_PTE_PRESENT		(1ULL << 0)
#define IVGPU_PTE_ADDR_MASK		0x00003ffffffff000ULL	/* bits 45:12 */

/* PV info page, as guest i915 reads it (i915_pvinfo.h). */
#define IVGPU_VGT_MAGIC			0x4776544776544776ULL
#define IVGPU_VGT_VERSION_MAJOR		1
#define IVGPU_VGT_VERSION_MINOR		0
#define IVGPU_VGT_CAPS_FULL_PPGTT	(1U << 2)
#define IVGPU_VGT_CAPS_HWSP_EMULATION	(1U << 3)
#define IVGPU_VGT_CAPS_HUGE_GTT		(1U << 4)

/* Byte offsets inside the PV info page. */
#define IVGPU_PV_MAGIC			0x000	/* u64, RO */
#define IVGPU_PV_VERSION_MAJOR		0x008	/* u16, RO */
#define IVGPU_PV_VERSION_MINOR		0x00a	/* u16, RO */
#define IVGPU_PV_VGT_ID			0x00c	/* u32, RO */
#define IVGPU_PV_VGT_CAPS		0x010	/* u32, RO */
#define IVGPU_PV_MAPPABLE_BASE		0x040	/* u32, RO: GM address */
#define IVGPU_PV_MAPPABLE_SIZE		0x044	/* u32, RO: bytes */
#define IVGPU_PV_NONMAPPABLE_BASE	0x048	/* u32, RO */
#define IVGPU_PV_NONMAPPABLE_SIZE	0x04c	/* u32, RO */
#define IVGPU_PV_FENCE_NUM		0x050	/* u32, RO */
#define IVGPU_PV_DISPLAY_READY		0x804	/* u32, RW (guest -> host) */
#define IVGPU_PV_G2V_NOTIFY		0x818	/* u32, RW */
#define IVGPU_PV_CURSOR_X_HOT		0x830	/* u32, RW */
#define IVGPU_PV_CURSOR_Y_HOT		0x834	/* u32, RW */
#define IVGPU_PV_PDP			0x838	/* 4 x (lo, hi) u32, RW */
#define IVGPU_PV_EXECLIST_DESC_LO	0x858	/* u32, RW */
#define IVGPU_PV_EXECLIST_DESC_HI	0x85c	/* u32, RW */
#define IVGPU_PV_GUEST_AREA		0x800	/* the guest may write at or above */

/*
 * Display. Device-specific VFIO regions follow the nine vfio-pci ones; each
 * carries a VFIO_REGION_INFO_CAP_TYPE capability with the type and subtype
 * below, so a user can find them by type as well as by index.
 */
#define IVGPU_REGION_EDID		9	/* VFIO_REGION_TYPE_GFX, _SUBTYPE_GFX_EDID */
#define IVGPU_REGION_FRAMEBUFFER	10	/* struct vfio_framebuffer region */
#define IVGPU_REGION_PLANE0		11	/* VFIO_GFX_PLANE_TYPE_REGION planes */
#define IVGPU_REGION_PLANE1		12
#define IVGPU_REGION_OPREGION		13	/* Intel vendor type, _SUBTYPE_INTEL_IGD_OPREGION */
#define IVGPU_NUM_REGIONS		14	/* what VFIO_DEVICE_GET_INFO reports */

/* Type of the framebuffer and plane regions: PCI vendor type, Intel. */
#define IVGPU_REGION_TYPE		(0x80000000U | IVGPU_PCI_VENDOR_ID)
#define IVGPU_REGION_SUBTYPE_FRAMEBUFFER	0x1000
#define IVGPU_REGION_SUBTYPE_PLANE		0x1001

/*
 * The EDID region (struct vfio_region_gfx_edid at offset 0): the blob lives
 * at IVGPU_EDID_BLOB_OFFSET, at most IVGPU_EDID_MAX_SIZE bytes.
 */
#define IVGPU_EDID_REGION_SIZE		0x1000
#define IVGPU_EDID_BLOB_OFFSET		0x800
#define IVGPU_EDID_MAX_SIZE		0x800

/*
 * The framebuffer region: the primary plane's visible pixels, linear, in
 * the plane's own format, from offset 0; and in its last 4 KiB page, at the
 * start, a struct vfio_framebuffer describing them. Userspace writes
 * state = VFIO_FB_STATE_REQUEST_UPDATE; the write returns once the pixels
 * and the description are refreshed, with state = UPDATE_COMPLETE. A
 * disabled plane reads as format, width, height and stride 0.
 */
struct vfio_framebuffer {
	__u32 argsz;		/* sizeof(struct vfio_framebuffer) */

	/* out */
	__u32 format;		/* drm fourcc, 0: no plane */
	__u32 offset;		/* of the first pixel, from the region start */
	__u32 width;		/* in pixels */
	__u32 height;		/* in pixels */
	__u32 stride;		/* in bytes */

	/* in+out */
#define VFIO_FB_STATE_REQUEST_UPDATE	1	/* userspace requests update */
#define VFIO_FB_STATE_UPDATE_COMPLETE	2	/* kernel signals completion */
	__u32 state;		/* VFIO_FB_STATE_ */
};

#define IVGPU_FB_META_SIZE		0x1000
/* Where struct vfio_framebuffer sits in a framebuffer region of @size bytes. */
#define IVGPU_FB_META_OFFSET(size)	((size) - IVGPU_FB_META_SIZE)

/*
 * The OpRegion region: read-only, the IGD OpRegion (version 2.0, with a VBT
 * listing one DisplayPort connector on port D) that guest firmware places in
 * RAM and announces in config register ASLS, as QEMU's vfio-pci option
 * x-igd-opregion=on arranges. Its type is VFIO_REGION_TYPE_PCI_VENDOR_TYPE |
 * IVGPU_PCI_VENDOR_ID (IVGPU_REGION_TYPE), subtype
 * VFIO_REGION_SUBTYPE_INTEL_IGD_OPREGION.
 */
#define IVGPU_OPREGION_SIZE		0x2000

/*
 * Which VFIO_DEVICE_QUERY_GFX_PLANE plane types a vGPU offers: the values
 * of the ivgpu/gfx_plane attribute of the mdev device and of the module
 * parameter gfx_plane that sets the default.
 */
#define IVGPU_GFX_PLANE_REGION		"region"
#define IVGPU_GFX_PLANE_DMABUF		"dmabuf"
#define IVGPU_GFX_PLANE_BOTH		"both"

/* The cursor hotspot fields of the PV page read this until the guest sets them. */
#define IVGPU_PV_CURSOR_HOT_NONE	0xffffffffU

/* The hotplug event a link state change raises: SDEIIR bit, port D. */
#define IVGPU_SDE_PORTD_HOTPLUG		(1U << 23)

#endif /* _UAPI_LINUX_IVGPU_H */
