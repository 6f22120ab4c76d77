/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The virtual OpRegion: the memory an Intel GPU's firmware leaves for the
 * graphics driver, whose address it writes to config register ASLS. Ours
 * carries one thing, a Video BIOS Table (VBT) in mailbox 4 whose only child
 * device is the virtual monitor's connector: DisplayPort on port D, AUX
 * channel D. Guest i915 then sets up that port and no other (without a VBT
 * it invents eDP on port A and DP+HDMI on B, C and D).
 *
 * The layout is the one i915 parses (intel_opregion.c, intel_bios.c): all
 * fields little-endian, no padding. Field comments give the BDB version a
 * field appeared in ("158+") where it is not in every version.
 */
#ifndef IVGPU_CORE_OPREGION_H
#define IVGPU_CORE_OPREGION_H

#include "platform.h"
#include <linux/ivgpu.h>

/* ---- OpRegion ---- */

#define IVGPU_OPREGION_SIGNATURE	"IntelGraphicsMem"
#define IVGPU_OPREGION_VERSION		0x02000000	/* 2.0.0: major in bits 31:24 */

/* Where each mailbox lives, from the start of the OpRegion. */
#define IVGPU_OPREGION_ACPI_OFFSET	0x100	/* mailbox 1: ACPI methods */
#define IVGPU_OPREGION_SWSCI_OFFSET	0x200	/* mailbox 2: SWSCI */
#define IVGPU_OPREGION_ASLE_OFFSET	0x300	/* mailbox 3: ASLE */
#define IVGPU_OPREGION_VBT_OFFSET	0x400	/* mailbox 4: the VBT */
#define IVGPU_OPREGION_ASLE_EXT_OFFSET	0x1c00	/* mailbox 5: ASLE extension */

/* Header "mboxes": which mailboxes the OpRegion implements. */
#define IVGPU_OPREGION_MBOX_ACPI	(1u << 0)
#define IVGPU_OPREGION_MBOX_SWSCI	(1u << 1)
#define IVGPU_OPREGION_MBOX_ASLE	(1u << 2)
#define IVGPU_OPREGION_MBOX_VBT		(1u << 3)
#define IVGPU_OPREGION_MBOX_ASLE_EXT	(1u << 4)

struct ivgpu_opregion_header {
	u8 signature[16];	/* IVGPU_OPREGION_SIGNATURE, no NUL */
	__le32 size;		/* of the OpRegion, in KiB */
	__le32 version;		/* IVGPU_OPREGION_VERSION */
	u8 bios_ver[32];	/* system BIOS build: none */
	u8 vbios_ver[16];	/* video BIOS build: none */
	u8 driver_ver[16];	/* graphics driver build: none */
	__le32 mboxes;		/* IVGPU_OPREGION_MBOX_* */
	__le32 driver_model;	/* driver model: not given */
	__le32 pcon;		/* platform configuration: not given */
	u8 dver[32];		/* driver version string: none */
	u8 reserved[124];
} __packed;

static_assert(sizeof(struct ivgpu_opregion_header) == IVGPU_OPREGION_ACPI_OFFSET);

/* ---- VBT: header, BDB header, blocks ---- */

#define IVGPU_VBT_SIGNATURE		"$VBT SKYLAKE        "	/* 20 bytes */
#define IVGPU_VBT_HEADER_VERSION	100	/* VBT header 1.00 */
#define IVGPU_BDB_SIGNATURE		"BIOS_DATA_BLOCK "	/* 16 bytes */
/*
 * The BDB version says which fields the blocks carry. i915 of 6.1 and 6.12
 * expect a 38-byte child device for versions 196 to 215; 204 is a Skylake
 * era version.
 */
#define IVGPU_BDB_VERSION		204

struct ivgpu_vbt_header {
	u8 signature[20];	/* IVGPU_VBT_SIGNATURE: "$VBT" and the platform */
	__le16 version;		/* IVGPU_VBT_HEADER_VERSION */
	__le16 header_size;	/* sizeof(struct ivgpu_vbt_header) */
	__le16 vbt_size;	/* this header, the BDB header and the blocks */
	u8 checksum;		/* makes the VBT's bytes sum to 0 (mod 256) */
	u8 reserved;
	__le32 bdb_offset;	/* of the BDB header, from the VBT's start */
	__le32 aim_offset[4];	/* add-in module data: none */
} __packed;

struct ivgpu_bdb_header {
	u8 signature[16];	/* IVGPU_BDB_SIGNATURE */
	__le16 version;		/* IVGPU_BDB_VERSION */
	__le16 header_size;	/* sizeof(struct ivgpu_bdb_header) */
	__le16 bdb_size;	/* this header and the blocks */
} __packed;

/* Each block starts with its id and the size of what follows. */
struct ivgpu_bdb_block_header {
	u8 id;			/* IVGPU_BDB_* */
	__le16 size;		/* of the block's data, without this header */
} __packed;

#define IVGPU_BDB_GENERAL_FEATURES	1
#define IVGPU_BDB_GENERAL_DEFINITIONS	2
#define IVGPU_BDB_DRIVER_FEATURES	12

/* Block 1. */
struct ivgpu_bdb_general_features {
	u8 bits1;		/* panel fitting, message, clear screen */
	u8 bits2;		/* SSC, display clock mode, VBIOS hotplug */
	u8 bits3;		/* rotation (181+), FDI polarity, VBIOS modes */
	u8 legacy_monitor_detect;
	u8 bits5;		/* IVGPU_GF5_*: integrated outputs */
	u8 bits6;		/* Type-C hotplug retry timeout (242+) */
	u8 bits7;		/* AFC start-up configuration (249+) */
} __packed;

#define IVGPU_GF5_INT_CRT		(1u << 0)	/* integrated VGA (CRT) */
#define IVGPU_GF5_INT_TV		(1u << 1)	/* integrated TV out */
#define IVGPU_GF5_INT_EFP		(1u << 2)	/* integrated external flat panels */

/* Block 2: this header, then child devices of child_dev_size bytes. */
struct ivgpu_bdb_general_definitions {
	u8 crt_ddc_gmbus_pin;	/* VGA DDC: none */
	u8 dpms_bits;		/* DPMS and boot CRT detection */
	u8 boot_display[2];	/* boot display: not given */
	u8 child_dev_size;	/* sizeof(struct ivgpu_vbt_child) */
} __packed;

/* Child device "handle": which display the firmware means. */
#define IVGPU_VBT_HANDLE_EFP1		0x0004	/* the first external flat panel */

/* Child device "device_type": signal and connector class bits. */
#define IVGPU_VBT_DEV_ANALOG		(1u << 0)	/* VGA */
#define IVGPU_VBT_DEV_DIGITAL		(1u << 1)
#define IVGPU_VBT_DEV_DISPLAYPORT	(1u << 2)
#define IVGPU_VBT_DEV_TMDS		(1u << 4)	/* DVI/HDMI signalling */
#define IVGPU_VBT_DEV_LVDS		(1u << 5)
#define IVGPU_VBT_DEV_MIPI		(1u << 10)	/* DSI */
#define IVGPU_VBT_DEV_NOT_HDMI		(1u << 11)
#define IVGPU_VBT_DEV_INTERNAL		(1u << 12)	/* built-in panel: eDP/LVDS */
/* An external DisplayPort connector without HDMI (DP++), as VBTs give it. */
#define IVGPU_VBT_DEVICE_DP		0x68c6

/* Child device "dvo_port" (BDB 155+). */
#define IVGPU_VBT_DVO_PORT_HDMID	3
#define IVGPU_VBT_DVO_PORT_DPD		9

/* Child device "aux_channel". */
#define IVGPU_VBT_AUX_CH_D		0x30

/* Child device "compat" byte (158+): what the port is compatible with. */
#define IVGPU_VBT_COMPAT_HDMI		(1u << 0)
#define IVGPU_VBT_COMPAT_DP		(1u << 1)
#define IVGPU_VBT_COMPAT_TMDS		(1u << 2)

/* Child device "caps" byte. */
#define IVGPU_VBT_CAPS_INTEGRATED_ENCODER	(1u << 5)

/* A child device as BDB versions 196 to 215 lay it out. */
struct ivgpu_vbt_child {
	__le16 handle;		/* IVGPU_VBT_HANDLE_* */
	__le16 device_type;	/* IVGPU_VBT_DEV_* bits */
	u8 i2c_speed;
	u8 dp_onboard_redriver;	/* 158+ */
	u8 dp_ondock_redriver;	/* 158+ */
	u8 hdmi_level_shifter;	/* 158+: level shift 4:0, max data rate 7:5 (204+) */
	__le16 dtd_buf_ptr;	/* 161+ */
	u8 flags0;		/* EDID-less EFP (161+), compression (198+) */
	u8 compression_index;	/* 198+ */
	u8 hdmi_frl;		/* 237+ */
	u8 reserved0;
	__le16 addin_offset;	/* add-in module data: none */
	u8 dvo_port;		/* IVGPU_VBT_DVO_PORT_* */
	u8 i2c_pin;
	u8 target_addr;		/* SDVO target address: none */
	u8 ddc_pin;		/* GMBUS pin of DVI/HDMI DDC: none */
	__le16 edid_ptr;
	u8 dvo_cfg;
	u8 flags1;		/* lane reversal, LSPCON, iboost, HPD inversion */
	u8 compat;		/* IVGPU_VBT_COMPAT_* */
	u8 aux_channel;		/* IVGPU_VBT_AUX_CH_* */
	u8 dongle_detect;
	u8 caps;		/* IVGPU_VBT_CAPS_*, pipe capability, HPD status */
	u8 dvo_wiring;
	u8 mipi_bridge_type;	/* 171+ */
	__le16 extended_type;
	u8 dvo_function;
	u8 flags2;		/* USB Type-C (195+), Thunderbolt (209+) */
	u8 dp_gpio_index;	/* 195+ */
	__le16 dp_gpio_pin_num;	/* 195+ */
	u8 iboost_levels;	/* 196+: DP 3:0, HDMI 7:4 */
} __packed;

#define IVGPU_VBT_CHILD_SIZE		38
static_assert(sizeof(struct ivgpu_vbt_child) == IVGPU_VBT_CHILD_SIZE);

/* Block 12. */
struct ivgpu_bdb_driver_features {
	u8 driver_bits;		/* boot device algorithm, display switching */
	__le16 boot_mode_x;	/* VBIOS boot mode: not given */
	__le16 boot_mode_y;
	u8 boot_mode_bpp;
	u8 boot_mode_refresh;
	__le16 ext_bits1;	/* IVGPU_DF1_*: LVDS and HDMI configuration */
	u8 driver_flags1;	/* 163+: static display, embedded platform */
	__le16 legacy_crt_max_x;
	__le16 legacy_crt_max_y;
	u8 legacy_crt_max_refresh;
	u8 ext_bits2;		/* HDMI termination, self refresh */
	u8 custom_vbt_version;	/* 155+ */
	__le16 feature_flags;	/* 159+: power features (RMPM, PSR, DRRS...) */
} __packed;

#define IVGPU_DF1_LVDS_CONFIG_SHIFT	11	/* 2 bits: 0 = no LVDS */

/* The whole VBT: header, BDB header, blocks 1, 2 (one child) and 12. */
struct ivgpu_vbt {
	struct ivgpu_vbt_header header;
	struct ivgpu_bdb_header bdb;
	struct ivgpu_bdb_block_header features_block;
	struct ivgpu_bdb_general_features features;
	struct ivgpu_bdb_block_header definitions_block;
	struct ivgpu_bdb_general_definitions definitions;
	struct ivgpu_vbt_child child;
	struct ivgpu_bdb_block_header driver_block;
	struct ivgpu_bdb_driver_features driver;
} __packed;

static_assert(sizeof(struct ivgpu_vbt) <=
	      IVGPU_OPREGION_ASLE_EXT_OFFSET - IVGPU_OPREGION_VBT_OFFSET);

/*
 * Fill @buf (IVGPU_OPREGION_SIZE bytes) with the OpRegion: the header
 * (version 2.0, only the VBT mailbox) and the VBT at
 * IVGPU_OPREGION_VBT_OFFSET. Every vGPU type has the same one: the
 * monitor's resolution is in its EDID, not in the VBT.
 */
void ivgpu_opregion_build(u8 *buf);

#endif /* IVGPU_CORE_OPREGION_H */
