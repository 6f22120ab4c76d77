// SPDX-License-Identifier: GPL-2.0-only
/*
 * The virtual OpRegion and its VBT (see opregion.h).
 */
#include "opregion.h"

static_assert(sizeof(IVGPU_OPREGION_SIGNATURE) - 1 ==
	      sizeof(((struct ivgpu_opregion_header *)0)->signature));
static_assert(sizeof(IVGPU_VBT_SIGNATURE) - 1 ==
	      sizeof(((struct ivgpu_vbt_header *)0)->signature));
static_assert(sizeof(IVGPU_BDB_SIGNATURE) - 1 ==
	      sizeof(((struct ivgpu_bdb_header *)0)->signature));

/* The child device of the monitor's connector: DisplayPort only, port D. */
static void ivgpu_vbt_child_dp_d(struct ivgpu_vbt_child *child)
{
	child->handle = cpu_to_le16(IVGPU_VBT_HANDLE_EFP1);
	child->device_type = cpu_to_le16(IVGPU_VBT_DEVICE_DP);
	child->dvo_port = IVGPU_VBT_DVO_PORT_DPD;
	child->aux_channel = IVGPU_VBT_AUX_CH_D;
	child->compat = IVGPU_VBT_COMPAT_DP;
	child->caps = IVGPU_VBT_CAPS_INTEGRATED_ENCODER;
}

static void ivgpu_vbt_block(struct ivgpu_bdb_block_header *block, u8 id,
			    size_t size)
{
	block->id = id;
	block->size = cpu_to_le16((u16)size);
}

static void ivgpu_vbt_build(struct ivgpu_vbt *vbt)
{
	const u8 *bytes = (const u8 *)vbt;
	u8 sum = 0;
	size_t i;

	memcpy(vbt->header.signature, IVGPU_VBT_SIGNATURE,
	       sizeof(vbt->header.signature));
	vbt->header.version = cpu_to_le16(IVGPU_VBT_HEADER_VERSION);
	vbt->header.header_size = cpu_to_le16(sizeof(vbt->header));
	vbt->header.vbt_size = cpu_to_le16(sizeof(*vbt));
	vbt->header.bdb_offset = cpu_to_le32(offsetof(struct ivgpu_vbt, bdb));

	memcpy(vbt->bdb.signature, IVGPU_BDB_SIGNATURE,
	       sizeof(vbt->bdb.signature));
	vbt->bdb.version = cpu_to_le16(IVGPU_BDB_VERSION);
	vbt->bdb.header_size = cpu_to_le16(sizeof(vbt->bdb));
	vbt->bdb.bdb_size = cpu_to_le16(sizeof(*vbt) - sizeof(vbt->header));

	/* No VGA, no TV: external flat panels only. */
	ivgpu_vbt_block(&vbt->features_block, IVGPU_BDB_GENERAL_FEATURES,
			sizeof(vbt->features));
	vbt->features.bits5 = IVGPU_GF5_INT_EFP;

	ivgpu_vbt_block(&vbt->definitions_block, IVGPU_BDB_GENERAL_DEFINITIONS,
			sizeof(vbt->definitions) + sizeof(vbt->child));
	vbt->definitions.child_dev_size = sizeof(vbt->child);
	ivgpu_vbt_child_dp_d(&vbt->child);

	/* All zero: no LVDS, no boot mode, no power features. */
	ivgpu_vbt_block(&vbt->driver_block, IVGPU_BDB_DRIVER_FEATURES,
			sizeof(vbt->driver));

	for (i = 0; i < sizeof(*vbt); i++)
		sum += bytes[i];
	vbt->header.checksum = (u8)-sum;
}

void ivgpu_opregion_build(u8 *buf)
{
	struct ivgpu_opregion_header *h = (struct ivgpu_opregion_header *)buf;

	memset(buf, 0, IVGPU_OPREGION_SIZE);
	memcpy(h->signature, IVGPU_OPREGION_SIGNATURE, sizeof(h->signature));
	h->size = cpu_to_le32(IVGPU_OPREGION_SIZE / 1024);
	h->version = cpu_to_le32(IVGPU_OPREGION_VERSION);
	h->mboxes = cpu_to_le32(IVGPU_OPREGION_MBOX_VBT);
	ivgpu_vbt_build((struct ivgpu_vbt *)(buf + IVGPU_OPREGION_VBT_OFFSET));
}
