// SPDX-License-Identifier: GPL-2.0-only
/*
 * ivgpu: a VFIO mediated-device vGPU provider for KVM.
 *
 * Each vGPU is a vfio-pci device with an emulated Intel Gen9 programming
 * model, carved from a parent GPU. The parent is a software GPU model on a
 * virtual PCI bus of the module's own.
 */
#include <linux/module.h>
#include "debugfs.h"
#include "gpu.h"
#include "vgpu.h"

static ulong gm_budget_mib = 65536;
module_param(gm_budget_mib, ulong, 0444);
MODULE_PARM_DESC(gm_budget_mib,
		 "Graphics memory the parent shares among its vGPUs, in MiB (default 65536)");

static uint max_vgpus = 256;
module_param(max_vgpus, uint, 0444);
MODULE_PARM_DESC(max_vgpus, "Most vGPUs alive at once (default 256)");

static int pci_domain = -1;
module_param(pci_domain, int, 0444);
MODULE_PARM_DESC(pci_domain,
		 "PCI domain of the parent GPU (default -1: the first free from 0x1000)");

static int __init ivgpu_init(void)
{
	struct ivgpu_gpu_params params = {
		.gm_budget_mib = gm_budget_mib,
		.max_vgpus = max_vgpus,
		.pci_domain = pci_domain,
	};
	int ret;

	if (!max_vgpus || pci_domain > 0xffff) {
		pr_err("invalid parameters: max_vgpus=%u pci_domain=%d\n",
		       max_vgpus, pci_domain);
		return -EINVAL;
	}

	ret = ivgpu_core_global_init();
	if (ret)
		return ret;
	ivgpu_debugfs_init();
	ret = mdev_register_driver(&ivgpu_vgpu_mdev_driver);
	if (ret)
		goto out_debugfs_exit;
	ret = ivgpu_gpu_init(&params);
	if (ret)
		goto out_unregister_mdev_driver;
	return 0;

out_unregister_mdev_driver:
	mdev_unregister_driver(&ivgpu_vgpu_mdev_driver);
out_debugfs_exit:
	ivgpu_debugfs_exit();
	ivgpu_core_global_fini();
	return ret;
}

static void __exit ivgpu_exit(void)
{
	ivgpu_gpu_exit();
	mdev_unregister_driver(&ivgpu_vgpu_mdev_driver);
	ivgpu_debugfs_check_live();
	ivgpu_debugfs_exit();
	ivgpu_core_global_fini();
}

module_init(ivgpu_init);
module_exit(ivgpu_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("VFIO mediated-device vGPU provider (software Gen9 GPU model)");
/* vfio_virqfd: a module of its own before 6.2 (in vfio.ko since). */
MODULE_SOFTDEP("pre: vfio vfio_iommu_type1 mdev vfio_virqfd");
