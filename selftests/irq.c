// SPDX-License-Identifier: GPL-2.0-only
/*
 * VFIO_DEVICE_SET_IRQS: the calls QEMU makes for INTx, MSI and the request
 * interrupt are accepted; malformed ones get EINVAL.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "ivgpu.h"

#define INTX	VFIO_PCI_INTX_IRQ_INDEX
#define MSI	VFIO_PCI_MSI_IRQ_INDEX
#define MSIX	VFIO_PCI_MSIX_IRQ_INDEX
#define ERR	VFIO_PCI_ERR_IRQ_INDEX
#define REQ	VFIO_PCI_REQ_IRQ_INDEX

#define EVENTFD_TRIGGER	(VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER)
#define NONE_TRIGGER	(VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER)

static void close_fd(void *arg)
{
	close((int)(long)arg);
}

/* An eventfd closed when the test ends. */
static int new_eventfd(void)
{
	int fd = vfio_eventfd();

	ASSERT_GE(fd, 0);
	tap_defer(close_fd, (void *)(long)fd);
	return fd;
}

TEST(intx_enable_mask_unmask_disable)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	int fd = new_eventfd();

	EXPECT_OK(vfio_irq_set_eventfd(&v->dev, INTX, fd));
	EXPECT_OK(vfio_irq_mask(&v->dev, INTX, 0));
	EXPECT_OK(vfio_irq_unmask(&v->dev, INTX, 0));
	EXPECT_OK(vfio_irq_disable(&v->dev, INTX));
	/* Nothing was raised on the way. */
	EXPECT_EQ(vfio_eventfd_wait(fd, 0), 0);
}

TEST(msi_enable_disable)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	int fd = new_eventfd();

	EXPECT_OK(vfio_irq_set_eventfd(&v->dev, MSI, fd));
	EXPECT_OK(vfio_irq_disable(&v->dev, MSI));
	EXPECT_OK(vfio_irq_set_eventfd(&v->dev, MSI, fd));
	EXPECT_OK(vfio_irq_disable(&v->dev, MSI));
}

/* QEMU registers an error notifier when ERR has a vector. */
TEST(err_enable_disable)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	int fd = new_eventfd();

	EXPECT_OK(vfio_irq_set_eventfd(&v->dev, ERR, fd));
	EXPECT_OK(vfio_irq_disable(&v->dev, ERR));
	EXPECT_EQ(vfio_eventfd_wait(fd, 0), 0);
}

TEST(req_enable_disable)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	int fd = new_eventfd();

	EXPECT_OK(vfio_irq_set_eventfd(&v->dev, REQ, fd));
	EXPECT_OK(vfio_irq_disable(&v->dev, REQ));
	EXPECT_OK(vfio_irq_set_eventfd(&v->dev, REQ, fd));
}

/* The order QEMU issues at realize, machine reset, MSI on/off and exit. */
TEST(qemu_start_up_sequence)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	int intx = new_eventfd(), msi = new_eventfd();
	int err = new_eventfd(), req = new_eventfd();

	/* realize: INTx routed, then the error and request notifiers */
	EXPECT_OK(vfio_irq_set_eventfd(&v->dev, INTX, intx));
	EXPECT_OK(vfio_irq_unmask(&v->dev, INTX, 0));
	EXPECT_OK(vfio_irq_set_eventfd(&v->dev, ERR, err));
	EXPECT_OK(vfio_irq_set_eventfd(&v->dev, REQ, req));
	/* machine reset: interrupts off, reset, INTx back on */
	EXPECT_OK(vfio_irq_disable(&v->dev, INTX));
	EXPECT_OK(vfio_reset(&v->dev));
	EXPECT_OK(vfio_irq_set_eventfd(&v->dev, INTX, intx));
	/* the guest enables MSI: INTx off, MSI on */
	EXPECT_OK(vfio_irq_disable(&v->dev, INTX));
	EXPECT_OK(vfio_irq_set_eventfd(&v->dev, MSI, msi));
	/* the guest disables MSI: MSI off, INTx on */
	EXPECT_OK(vfio_irq_disable(&v->dev, MSI));
	EXPECT_OK(vfio_irq_set_eventfd(&v->dev, INTX, intx));
	/* exit */
	EXPECT_OK(vfio_irq_disable(&v->dev, INTX));
	EXPECT_OK(vfio_irq_disable(&v->dev, ERR));
	EXPECT_OK(vfio_irq_disable(&v->dev, REQ));
}

TEST(rerouting_intx_to_another_eventfd)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	int first = new_eventfd(), second = new_eventfd();

	EXPECT_OK(vfio_irq_set_eventfd(&v->dev, INTX, first));
	EXPECT_OK(vfio_irq_set_eventfd(&v->dev, INTX, second));
	EXPECT_OK(vfio_irq_disable(&v->dev, INTX));
}

TEST(bad_index_gives_einval)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	int fd = new_eventfd();

	/* Past the last index, and the index with no vectors. */
	EXPECT_EQ(vfio_irq_set_eventfd(&v->dev, REQ + 1, fd), -EINVAL);
	EXPECT_EQ(vfio_irq_set_eventfd(&v->dev, 100, fd), -EINVAL);
	EXPECT_EQ(vfio_irq_set_eventfd(&v->dev, MSIX, fd), -EINVAL);
}

TEST(bad_flags_give_einval)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	int32_t fd = new_eventfd();
	uint8_t on = 1;

	/* Two data types, two actions, no data type, no action. */
	EXPECT_EQ(vfio_irq_set(&v->dev, INTX, VFIO_IRQ_SET_DATA_NONE |
			       VFIO_IRQ_SET_DATA_BOOL |
			       VFIO_IRQ_SET_ACTION_TRIGGER, 0, 1, &on, 1),
		  -EINVAL);
	EXPECT_EQ(vfio_irq_set(&v->dev, INTX, VFIO_IRQ_SET_DATA_NONE |
			       VFIO_IRQ_SET_ACTION_MASK |
			       VFIO_IRQ_SET_ACTION_UNMASK, 0, 1, NULL, 0),
		  -EINVAL);
	EXPECT_EQ(vfio_irq_set(&v->dev, INTX, VFIO_IRQ_SET_ACTION_TRIGGER,
			       0, 1, NULL, 0), -EINVAL);
	EXPECT_EQ(vfio_irq_set(&v->dev, INTX, VFIO_IRQ_SET_DATA_EVENTFD,
			       0, 1, &fd, sizeof(fd)), -EINVAL);
	/* An undefined flag bit. */
	EXPECT_EQ(vfio_irq_set(&v->dev, INTX, EVENTFD_TRIGGER | 1u << 31,
			       0, 1, &fd, sizeof(fd)), -EINVAL);
}

TEST(bad_range_gives_einval)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	int fds[2] = { new_eventfd(), new_eventfd() };

	EXPECT_EQ(vfio_irq_set_eventfds(&v->dev, INTX, 0, 2, fds), -EINVAL);
	EXPECT_EQ(vfio_irq_set_eventfds(&v->dev, INTX, 1, 1, fds), -EINVAL);
	EXPECT_EQ(vfio_irq_set_eventfds(&v->dev, MSI, 0, 2, fds), -EINVAL);
	EXPECT_EQ(vfio_irq_set_eventfds(&v->dev, REQ, 1, 1, fds), -EINVAL);
	EXPECT_EQ(vfio_irq_set_eventfds(&v->dev, ERR, 0, 2, fds), -EINVAL);
	EXPECT_EQ(vfio_irq_mask(&v->dev, INTX, 1), -EINVAL);
}

TEST(short_argsz_gives_einval)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	struct vfio_irq_set set = {
		.argsz = sizeof(set) - 1,
		.flags = NONE_TRIGGER,
		.index = INTX,
	};
	struct {
		struct vfio_irq_set set;
		int32_t fd;
	} one = {
		/* Room for the header but not the eventfd it announces. */
		.set = { .argsz = sizeof(struct vfio_irq_set),
			 .flags = EVENTFD_TRIGGER, .index = INTX, .count = 1 },
	};

	EXPECT_ERRNO(ioctl(v->dev.fd, VFIO_DEVICE_SET_IRQS, &set), EINVAL);
	EXPECT_ERRNO(ioctl(v->dev.fd, VFIO_DEVICE_SET_IRQS, &one), EINVAL);
}

TEST(bad_eventfd_is_rejected)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	int not_an_eventfd = open("/dev/null", O_RDONLY);

	ASSERT_GE(not_an_eventfd, 0);
	tap_defer(close_fd, (void *)(long)not_an_eventfd);
	EXPECT_NE(vfio_irq_set_eventfd(&v->dev, INTX, not_an_eventfd), 0);
	EXPECT_NE(vfio_irq_set_eventfd(&v->dev, MSI, 9999), 0);
	/* The device is still usable afterwards. */
	EXPECT_OK(vfio_irq_set_eventfd(&v->dev, INTX, new_eventfd()));
	EXPECT_OK(vfio_irq_disable(&v->dev, INTX));
}

/*
 * Only DATA_NONE may come with count 0 (it disables the index); data types
 * that carry data need count >= 1.
 */
TEST(zero_count_with_data_gives_einval)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	static const unsigned int indexes[] = { INTX, MSI, ERR, REQ };
	static const uint32_t flags[] = {
		VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
		VFIO_IRQ_SET_DATA_BOOL | VFIO_IRQ_SET_ACTION_TRIGGER,
		VFIO_IRQ_SET_DATA_BOOL | VFIO_IRQ_SET_ACTION_MASK,
		VFIO_IRQ_SET_DATA_BOOL | VFIO_IRQ_SET_ACTION_UNMASK,
	};
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(indexes); i++) {
		for (j = 0; j < ARRAY_SIZE(flags); j++) {
			tap_log("index %u flags 0x%x count 0", indexes[i],
				flags[j]);
			EXPECT_EQ(vfio_irq_set(&v->dev, indexes[i], flags[j],
					       0, 0, NULL, 0), -EINVAL);
		}
	}
	/* The device still answers. */
	EXPECT_OK(vfio_irq_set_eventfd(&v->dev, INTX, -1));
}

#define EVENTFD_UNMASK	(VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_UNMASK)

/* The INTx unmask eventfd: what is refused, and with which errno. */
TEST(unmask_eventfd_bad_calls)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	int intx = new_eventfd(), unmask = new_eventfd();
	int not_an_eventfd = open("/dev/null", O_RDONLY);
	int32_t fds[2] = { unmask, unmask };

	ASSERT_GE(not_an_eventfd, 0);
	tap_defer(close_fd, (void *)(long)not_an_eventfd);
	/* INTx must be on (a trigger) first. */
	EXPECT_EQ(vfio_irq_unmask_eventfd(&v->dev, INTX, unmask), -EINVAL);
	ASSERT_OK(vfio_irq_set_eventfd(&v->dev, INTX, intx));
	/* Not an eventfd, not a file, a negative fd other than -1. */
	EXPECT_EQ(vfio_irq_unmask_eventfd(&v->dev, INTX, not_an_eventfd), -EINVAL);
	EXPECT_EQ(vfio_irq_unmask_eventfd(&v->dev, INTX, 9999), -EBADF);
	EXPECT_EQ(vfio_irq_unmask_eventfd(&v->dev, INTX, -2), -EINVAL);
	/* Only INTx has one; one vector, from 0. */
	EXPECT_EQ(vfio_irq_unmask_eventfd(&v->dev, MSI, unmask), -ENOTTY);
	EXPECT_EQ(vfio_irq_unmask_eventfd(&v->dev, MSIX, unmask), -EINVAL);
	EXPECT_EQ(vfio_irq_set(&v->dev, INTX, EVENTFD_UNMASK, 0, 2, fds,
			       sizeof(fds)), -EINVAL);
	EXPECT_EQ(vfio_irq_set(&v->dev, INTX, EVENTFD_UNMASK, 1, 1, fds,
			       sizeof(fds[0])), -EINVAL);
	/* No mask eventfd. */
	EXPECT_EQ(vfio_irq_set(&v->dev, INTX, VFIO_IRQ_SET_DATA_EVENTFD |
			       VFIO_IRQ_SET_ACTION_MASK, 0, 1, fds,
			       sizeof(fds[0])), -EINVAL);

	/* A good one; a bad one later leaves it installed. */
	EXPECT_OK(vfio_irq_unmask_eventfd(&v->dev, INTX, unmask));
	EXPECT_EQ(vfio_irq_unmask_eventfd(&v->dev, INTX, not_an_eventfd), -EINVAL);
	EXPECT_EQ(vfio_irq_unmask_eventfd(&v->dev, INTX, 9999), -EBADF);
	{
		uint64_t one = 1;

		ASSERT_EQ(write(unmask, &one, sizeof(one)), sizeof(one));
	}
	{
		int i;

		for (i = 0; i < 100 && vgpu_stat(v, "irq_intx_unmask_fd") < 1; i++)
			usleep(10000);
	}
	EXPECT_EQ(vgpu_stat(v, "irq_intx_unmask_fd"), 1);
	EXPECT_OK(vfio_irq_unmask_eventfd(&v->dev, INTX, -1));
	EXPECT_OK(vfio_irq_disable(&v->dev, INTX));
}

/* QEMU with KVM: trigger, then the resampler's unmask eventfd; at reset
 * and exit INTx goes off and the unmask eventfd is closed. */
TEST(qemu_kvm_intx_sequence)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	int intx = new_eventfd();
	int unmask = vfio_eventfd();

	ASSERT_GE(unmask, 0);
	EXPECT_OK(vfio_irq_set_eventfd(&v->dev, INTX, intx));
	EXPECT_OK(vfio_irq_unmask_eventfd(&v->dev, INTX, unmask));
	/* machine reset */
	EXPECT_OK(vfio_irq_mask(&v->dev, INTX, 0));
	close(unmask);
	EXPECT_OK(vfio_irq_unmask(&v->dev, INTX, 0));
	EXPECT_OK(vfio_irq_disable(&v->dev, INTX));
	EXPECT_OK(vfio_reset(&v->dev));
	EXPECT_OK(vfio_irq_set_eventfd(&v->dev, INTX, intx));
	unmask = new_eventfd();
	EXPECT_OK(vfio_irq_unmask_eventfd(&v->dev, INTX, unmask));
	/* exit: the device is closed with both installed */
}
