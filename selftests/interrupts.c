// SPDX-License-Identifier: GPL-2.0-only
/*
 * The gen8 interrupt hierarchy and vblank events: pipe enable, frame
 * counters, IMR/IIR/IER latching, the master register, and delivery of
 * rising edges as MSI or automasked INTx.
 */
#define _GNU_SOURCE
#include <time.h>
#include <unistd.h>

#include "ivgpu.h"

#define MSI	IVGPU_CFG_MSI_CAP
#define PLANE_SURF(p)	(0x7019c + 0x1000 * (p))

/* Long enough for several 60 Hz ticks even on an emulated CPU. */
#define WAIT_MS		1000
#define QUIET_MS	250

static void msleep(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void pipe_enable(struct vgpu *v, int pipe, bool on)
{
	bar0_write32(v, TRANSCONF(pipe), on ? TRANSCONF_ENABLE : 0);
}

/* Let pipe vblanks latch and reach the master line. */
static void vblank_irq_enable(struct vgpu *v, int pipe)
{
	bar0_write32(v, PIPE_ISR(pipe) + IMR, ~VBLANK);
	bar0_write32(v, PIPE_ISR(pipe) + IER, VBLANK);
	bar0_write32(v, MASTER_IRQ, MASTER_ENABLE);
}

static void iir_clear(struct vgpu *v, int pipe)
{
	bar0_write32(v, PIPE_ISR(pipe) + IIR, VBLANK);
}

/* Wait for the pipe's frame counter to reach at least n. */
static bool frames_reach(struct vgpu *v, int pipe, uint32_t n)
{
	int i;

	for (i = 0; i < WAIT_MS / 10; i++) {
		if (bar0_read32(v, PIPE_FRMCOUNT(pipe)) >= n)
			return true;
		msleep(10);
	}
	return false;
}

static void close_fd(void *arg)
{
	close((int)(long)arg);
}

static int irq_eventfd(struct vgpu *v, unsigned int index)
{
	int fd = vfio_eventfd();

	ASSERT_GE(fd, 0);
	tap_defer(close_fd, (void *)(long)fd);
	ASSERT_OK(vfio_irq_set_eventfd(&v->dev, index, fd));
	return fd;
}

static void msi_enable(struct vgpu *v)
{
	cfg_write32(v, MSI + PCI_MSI_ADDRESS_LO, 0xfee00000);
	cfg_write16(v, MSI + PCI_MSI_DATA_32, 0x41);
	cfg_write16(v, MSI + PCI_MSI_FLAGS, PCI_MSI_FLAGS_ENABLE);
}

TEST(transconf_state_bit_follows_enable)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);

	EXPECT_EQ(bar0_read32(v, TRANSCONF(PIPE_A)), 0);
	pipe_enable(v, PIPE_A, true);
	EXPECT_EQ(bar0_read32(v, TRANSCONF(PIPE_A)),
		  TRANSCONF_ENABLE | TRANSCONF_STATE);
	pipe_enable(v, PIPE_A, false);
	EXPECT_EQ(bar0_read32(v, TRANSCONF(PIPE_A)), 0);
	/* The state bit is not the guest's to set. */
	bar0_write32(v, TRANSCONF(PIPE_B), TRANSCONF_STATE);
	EXPECT_EQ(bar0_read32(v, TRANSCONF(PIPE_B)), 0);
}

TEST(vblank_advances_frame_counters_of_enabled_pipes)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	uint32_t a, c;

	pipe_enable(v, PIPE_A, true);
	pipe_enable(v, PIPE_C, true);
	ASSERT_TRUE(frames_reach(v, PIPE_A, 3));
	ASSERT_TRUE(frames_reach(v, PIPE_C, 3));
	EXPECT_EQ(bar0_read32(v, PIPE_FRMCOUNT(PIPE_B)), 0);

	/* A stopped pipe's counter stops; the other goes on. */
	pipe_enable(v, PIPE_A, false);
	a = bar0_read32(v, PIPE_FRMCOUNT(PIPE_A));
	c = bar0_read32(v, PIPE_FRMCOUNT(PIPE_C));
	EXPECT_TRUE(frames_reach(v, PIPE_C, c + 3));
	EXPECT_EQ(bar0_read32(v, PIPE_FRMCOUNT(PIPE_A)), a);
}

TEST(vblank_rate_is_about_60_hz)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	uint32_t frames;

	pipe_enable(v, PIPE_A, true);
	msleep(1000);
	pipe_enable(v, PIPE_A, false);
	frames = bar0_read32(v, PIPE_FRMCOUNT(PIPE_A));
	tap_log("%u frames in 1 s", frames);
	/* A loaded, emulated machine may lose some ticks, never gain. */
	EXPECT_GE(frames, 36);
	EXPECT_LE(frames, 62);
}

TEST(masked_vblank_does_not_latch)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);

	bar0_write32(v, PIPE_ISR(PIPE_A) + IMR, 0xffffffff);
	pipe_enable(v, PIPE_A, true);
	ASSERT_TRUE(frames_reach(v, PIPE_A, 3));
	EXPECT_EQ(bar0_read32(v, PIPE_ISR(PIPE_A) + IIR), 0);
}

TEST(iir_latches_and_is_write_one_to_clear)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);

	bar0_write32(v, PIPE_ISR(PIPE_A) + IMR, ~VBLANK);
	pipe_enable(v, PIPE_A, true);
	ASSERT_TRUE(frames_reach(v, PIPE_A, 2));
	pipe_enable(v, PIPE_A, false);
	EXPECT_EQ(bar0_read32(v, PIPE_ISR(PIPE_A) + IIR), VBLANK);

	bar0_write32(v, PIPE_ISR(PIPE_A) + IIR, 0);
	EXPECT_EQ(bar0_read32(v, PIPE_ISR(PIPE_A) + IIR), VBLANK);
	iir_clear(v, PIPE_A);
	EXPECT_EQ(bar0_read32(v, PIPE_ISR(PIPE_A) + IIR), 0);
}

TEST(master_register_shows_pending_blocks)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);

	vblank_irq_enable(v, PIPE_B);
	EXPECT_EQ(bar0_read32(v, MASTER_IRQ), MASTER_ENABLE);
	pipe_enable(v, PIPE_B, true);
	ASSERT_TRUE(frames_reach(v, PIPE_B, 2));
	pipe_enable(v, PIPE_B, false);
	EXPECT_EQ(bar0_read32(v, MASTER_IRQ), MASTER_ENABLE | MASTER_PIPE(PIPE_B));

	/* Only the enable bit is stored; status bits ignore writes. */
	bar0_write32(v, MASTER_IRQ, ~MASTER_ENABLE);
	EXPECT_EQ(bar0_read32(v, MASTER_IRQ), MASTER_PIPE(PIPE_B));
	bar0_write32(v, MASTER_IRQ, MASTER_ENABLE);
	iir_clear(v, PIPE_B);
	EXPECT_EQ(bar0_read32(v, MASTER_IRQ), MASTER_ENABLE);
}

TEST(vblank_interrupt_arrives_as_msi)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	int intx = irq_eventfd(v, VFIO_PCI_INTX_IRQ_INDEX);
	int msi = irq_eventfd(v, VFIO_PCI_MSI_IRQ_INDEX);

	msi_enable(v);
	vblank_irq_enable(v, PIPE_A);
	pipe_enable(v, PIPE_A, true);
	EXPECT_GT(vfio_eventfd_wait(msi, WAIT_MS), 0);

	/* The line stays up until IIR is cleared: no new edge. */
	EXPECT_EQ(vfio_eventfd_wait(msi, QUIET_MS), 0);
	iir_clear(v, PIPE_A);
	EXPECT_GT(vfio_eventfd_wait(msi, WAIT_MS), 0);

	EXPECT_EQ(vfio_eventfd_wait(intx, 0), 0);
	EXPECT_GE(vgpu_stat(v, "irq_msi"), 2);
	EXPECT_EQ(vgpu_stat(v, "irq_intx"), 0);
}

TEST(vblank_interrupt_arrives_as_automasked_intx)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	int intx = irq_eventfd(v, VFIO_PCI_INTX_IRQ_INDEX);

	vblank_irq_enable(v, PIPE_A);
	pipe_enable(v, PIPE_A, true);
	EXPECT_GT(vfio_eventfd_wait(intx, WAIT_MS), 0);

	/* Masked by the delivery: a new edge waits for the unmask... */
	iir_clear(v, PIPE_A);
	EXPECT_EQ(vfio_eventfd_wait(intx, QUIET_MS), 0);
	/* ...which fires again at once, as the line is up again. */
	ASSERT_OK(vfio_irq_unmask(&v->dev, VFIO_PCI_INTX_IRQ_INDEX, 0));
	EXPECT_GT(vfio_eventfd_wait(intx, WAIT_MS), 0);
	EXPECT_GE(vgpu_stat(v, "irq_intx"), 2);
}

TEST(no_interrupt_while_held_back)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	int intx = irq_eventfd(v, VFIO_PCI_INTX_IRQ_INDEX);

	/* INTX_DISABLE in the command register. */
	cfg_write16(v, PCI_COMMAND, PCI_COMMAND_INTX_DISABLE);
	vblank_irq_enable(v, PIPE_A);
	pipe_enable(v, PIPE_A, true);
	ASSERT_TRUE(frames_reach(v, PIPE_A, 3));
	EXPECT_EQ(vfio_eventfd_wait(intx, 0), 0);
	pipe_enable(v, PIPE_A, false);
	iir_clear(v, PIPE_A);

	/* The master enable off. */
	cfg_write16(v, PCI_COMMAND, 0);
	bar0_write32(v, MASTER_IRQ, 0);
	pipe_enable(v, PIPE_A, true);
	ASSERT_TRUE(frames_reach(v, PIPE_A,
				 bar0_read32(v, PIPE_FRMCOUNT(PIPE_A)) + 3));
	EXPECT_EQ(vfio_eventfd_wait(intx, 0), 0);

	/* IER clear. */
	bar0_write32(v, PIPE_ISR(PIPE_A) + IER, 0);
	bar0_write32(v, MASTER_IRQ, MASTER_ENABLE);
	ASSERT_TRUE(frames_reach(v, PIPE_A,
				 bar0_read32(v, PIPE_FRMCOUNT(PIPE_A)) + 3));
	EXPECT_EQ(vfio_eventfd_wait(intx, 0), 0);
}

TEST(clock_runs_only_while_open_with_a_pipe_enabled)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);

	EXPECT_EQ(vgpu_stat(v, "vblank_running"), 0);
	pipe_enable(v, PIPE_B, true);
	EXPECT_EQ(vgpu_stat(v, "vblank_running"), 1);
	pipe_enable(v, PIPE_B, false);
	EXPECT_EQ(vgpu_stat(v, "vblank_running"), 0);

	pipe_enable(v, PIPE_B, true);
	vgpu_close(v);
	EXPECT_EQ(vgpu_stat(v, "vblank_running"), 0);

	/* Opening starts from power-on state. */
	vgpu_open(v);
	EXPECT_EQ(bar0_read32(v, TRANSCONF(PIPE_B)), 0);
	EXPECT_EQ(bar0_read32(v, PIPE_FRMCOUNT(PIPE_B)), 0);
	EXPECT_EQ(vgpu_stat(v, "vblank_running"), 0);
}

/*
 * An idle guest's console: the pipe on, its interrupts masked. Its frames
 * count on from the clock, and no tick runs for it until the guest can see
 * a vblank: an unmasked vblank interrupt, or the flip-done of a flip.
 */
TEST(masked_pipe_needs_no_tick_until_someone_waits)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	int msi = irq_eventfd(v, VFIO_PCI_MSI_IRQ_INDEX);
	uint64_t ticks;
	int i;

	msi_enable(v);
	bar0_write32(v, PIPE_ISR(PIPE_A) + IMR, 0xffffffff);
	bar0_write32(v, PIPE_ISR(PIPE_A) + IER, VBLANK);
	bar0_write32(v, MASTER_IRQ, MASTER_ENABLE);
	pipe_enable(v, PIPE_A, true);
	EXPECT_EQ(vgpu_stat(v, "vblank_running"), 0);
	ticks = vgpu_stat(v, "vblank_ticks");
	ASSERT_TRUE(frames_reach(v, PIPE_A, 6));
	EXPECT_EQ(vgpu_stat(v, "vblank_ticks"), ticks);
	EXPECT_EQ(vfio_eventfd_wait(msi, 0), 0);

	/* The guest waits for a vblank: it comes, at the next frame. */
	bar0_write32(v, PIPE_ISR(PIPE_A) + IMR, ~VBLANK);
	EXPECT_EQ(vgpu_stat(v, "vblank_running"), 1);
	EXPECT_GT(vfio_eventfd_wait(msi, WAIT_MS), 0);
	EXPECT_EQ(bar0_read32(v, PIPE_ISR(PIPE_A) + IIR), VBLANK);
	iir_clear(v, PIPE_A);

	/* Masked again: the tick leaves. */
	bar0_write32(v, PIPE_ISR(PIPE_A) + IMR, 0xffffffff);
	EXPECT_EQ(vgpu_stat(v, "vblank_running"), 0);

	/*
	 * A flip keeps it for one vblank, for the flip-done: the tick runs
	 * (nothing else unmasked would make it) and leaves. Whether it is
	 * still running when debugfs is read depends on how slow the kernel
	 * is: a frame is 16.7 ms.
	 */
	ticks = vgpu_stat(v, "vblank_ticks");
	bar0_write32(v, PLANE_SURF(PIPE_A), 0x1000);
	for (i = 0; i < WAIT_MS / 10 && vgpu_stat(v, "vblank_running"); i++)
		msleep(10);
	EXPECT_EQ(vgpu_stat(v, "vblank_running"), 0);
	EXPECT_GT(vgpu_stat(v, "vblank_ticks"), ticks);
	EXPECT_EQ(vfio_eventfd_wait(msi, 0), 0);
}

/* A guest that waits for every vblank gets them at 60 Hz. */
TEST(vblank_events_come_at_60_hz)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	int msi = irq_eventfd(v, VFIO_PCI_MSI_IRQ_INDEX);
	struct timespec t0, t;
	unsigned int events = 0;
	double secs;

	msi_enable(v);
	vblank_irq_enable(v, PIPE_A);
	pipe_enable(v, PIPE_A, true);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		if (vfio_eventfd_wait(msi, WAIT_MS) > 0) {
			events++;
			iir_clear(v, PIPE_A);
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		secs = t.tv_sec - t0.tv_sec + (t.tv_nsec - t0.tv_nsec) / 1e9;
	} while (secs < 1.0);
	tap_log("%u vblank events in %.2f s", events, secs);
	/* A loaded, emulated machine may lose some, never gain. */
	EXPECT_GE(events, 30);
	EXPECT_LE(events, 62);
}

TEST(reset_stops_the_clock)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);

	vblank_irq_enable(v, PIPE_A);
	pipe_enable(v, PIPE_A, true);
	ASSERT_TRUE(frames_reach(v, PIPE_A, 2));
	ASSERT_OK(vfio_reset(&v->dev));

	EXPECT_EQ(bar0_read32(v, TRANSCONF(PIPE_A)), 0);
	EXPECT_EQ(bar0_read32(v, PIPE_ISR(PIPE_A) + IIR), 0);
	EXPECT_EQ(bar0_read32(v, MASTER_IRQ), 0);
	EXPECT_EQ(vgpu_stat(v, "vblank_running"), 0);
	msleep(100);
	EXPECT_EQ(bar0_read32(v, PIPE_FRMCOUNT(PIPE_A)), 0);
}

/*
 * The INTx unmask eventfd (QEMU's irqfd resampler with KVM): signalling it
 * unmasks INTx as VFIO_IRQ_SET_ACTION_UNMASK does.
 */

/* An eventfd closed when the test ends, not yet installed anywhere. */
static int new_eventfd(void)
{
	int fd = vfio_eventfd();

	ASSERT_GE(fd, 0);
	tap_defer(close_fd, (void *)(long)fd);
	return fd;
}

static void eventfd_signal(int fd)
{
	uint64_t one = 1;

	ASSERT_EQ(write(fd, &one, sizeof(one)), sizeof(one));
}

/* Wait until the stats counter reaches at least n. */
static bool stat_reaches(struct vgpu *v, const char *name, long long n)
{
	int i;

	for (i = 0; i < WAIT_MS / 10; i++) {
		if (vgpu_stat(v, name) >= n)
			return true;
		msleep(10);
	}
	return false;
}

/* The line up (a vblank not acknowledged): one trigger, INTx automasked. */
static void raise_and_take_first(struct vgpu *v, int trigger)
{
	vblank_irq_enable(v, PIPE_A);
	pipe_enable(v, PIPE_A, true);
	ASSERT_GT(vfio_eventfd_wait(trigger, WAIT_MS), 0);
	EXPECT_EQ(vfio_eventfd_wait(trigger, QUIET_MS), 0);
}

TEST(unmask_eventfd_fires_again_while_the_line_stays_up)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	int intx = irq_eventfd(v, VFIO_PCI_INTX_IRQ_INDEX);
	int unmask = new_eventfd();
	int i;

	ASSERT_OK(vfio_irq_unmask_eventfd(&v->dev, VFIO_PCI_INTX_IRQ_INDEX,
					  unmask));
	raise_and_take_first(v, intx);
	/* Each signal is one unmask, and the line is still up: one trigger. */
	for (i = 1; i <= 3; i++) {
		eventfd_signal(unmask);
		EXPECT_GT(vfio_eventfd_wait(intx, WAIT_MS), 0);
		EXPECT_TRUE(stat_reaches(v, "irq_intx_unmask_fd", i));
		EXPECT_EQ(vfio_eventfd_wait(intx, QUIET_MS), 0);
	}
	EXPECT_EQ(vgpu_stat(v, "irq_intx_unmask_fd"), 3);
	EXPECT_EQ(vgpu_stat(v, "irq_intx_unmasks"), 3);
	EXPECT_EQ(vgpu_stat(v, "irq_intx"), 4);
	/* The guest acknowledges: an unmask with the line down fires nothing. */
	pipe_enable(v, PIPE_A, false);
	iir_clear(v, PIPE_A);
	eventfd_signal(unmask);
	EXPECT_TRUE(stat_reaches(v, "irq_intx_unmask_fd", 4));
	EXPECT_EQ(vfio_eventfd_wait(intx, QUIET_MS), 0);
}

/* A signal that arrived before the eventfd was installed counts. */
TEST(unmask_eventfd_signalled_before_install)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	int intx = irq_eventfd(v, VFIO_PCI_INTX_IRQ_INDEX);
	int unmask = new_eventfd();

	raise_and_take_first(v, intx);
	eventfd_signal(unmask);
	ASSERT_OK(vfio_irq_unmask_eventfd(&v->dev, VFIO_PCI_INTX_IRQ_INDEX,
					  unmask));
	EXPECT_GT(vfio_eventfd_wait(intx, WAIT_MS), 0);
	EXPECT_TRUE(stat_reaches(v, "irq_intx_unmask_fd", 1));
}

TEST(unmask_eventfd_removed_by_fd_minus_one_and_with_the_trigger)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	int intx = irq_eventfd(v, VFIO_PCI_INTX_IRQ_INDEX);
	int unmask = new_eventfd();

	ASSERT_OK(vfio_irq_unmask_eventfd(&v->dev, VFIO_PCI_INTX_IRQ_INDEX,
					  unmask));
	raise_and_take_first(v, intx);
	ASSERT_OK(vfio_irq_unmask_eventfd(&v->dev, VFIO_PCI_INTX_IRQ_INDEX, -1));
	eventfd_signal(unmask);
	EXPECT_EQ(vfio_eventfd_wait(intx, QUIET_MS), 0);
	EXPECT_EQ(vgpu_stat(v, "irq_intx_unmask_fd"), 0);
	/* Nobody read the signal. */
	EXPECT_EQ(vfio_eventfd_wait(unmask, 0), 1);
	/* Removing it twice is fine. */
	EXPECT_OK(vfio_irq_unmask_eventfd(&v->dev, VFIO_PCI_INTX_IRQ_INDEX, -1));
	/* The ioctl still unmasks. */
	ASSERT_OK(vfio_irq_unmask(&v->dev, VFIO_PCI_INTX_IRQ_INDEX, 0));
	EXPECT_GT(vfio_eventfd_wait(intx, WAIT_MS), 0);

	/* Back on; then INTx off (count 0) takes it along, as in vfio-pci. */
	ASSERT_OK(vfio_irq_unmask_eventfd(&v->dev, VFIO_PCI_INTX_IRQ_INDEX,
					  unmask));
	ASSERT_OK(vfio_irq_disable(&v->dev, VFIO_PCI_INTX_IRQ_INDEX));
	ASSERT_OK(vfio_irq_set_eventfd(&v->dev, VFIO_PCI_INTX_IRQ_INDEX, intx));
	eventfd_signal(unmask);
	msleep(QUIET_MS);
	EXPECT_EQ(vgpu_stat(v, "irq_intx_unmask_fd"), 0);
	EXPECT_EQ(vfio_eventfd_wait(unmask, 0), 1);

	/* And so does a trigger fd of -1. */
	ASSERT_OK(vfio_irq_unmask_eventfd(&v->dev, VFIO_PCI_INTX_IRQ_INDEX,
					  unmask));
	ASSERT_OK(vfio_irq_set_eventfd(&v->dev, VFIO_PCI_INTX_IRQ_INDEX, -1));
	eventfd_signal(unmask);
	msleep(QUIET_MS);
	EXPECT_EQ(vgpu_stat(v, "irq_intx_unmask_fd"), 0);
	EXPECT_EQ(vfio_eventfd_wait(unmask, 0), 1);
	EXPECT_EQ(vgpu_stat(v, "irq_intx_unmasks"), 1);
}

/* A new eventfd replaces the old; closing it removes it (EPOLLHUP). */
TEST(unmask_eventfd_replaced_and_closed)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	int intx = irq_eventfd(v, VFIO_PCI_INTX_IRQ_INDEX);
	int first = new_eventfd(), second = vfio_eventfd();

	ASSERT_GE(second, 0);
	ASSERT_OK(vfio_irq_unmask_eventfd(&v->dev, VFIO_PCI_INTX_IRQ_INDEX,
					  first));
	ASSERT_OK(vfio_irq_unmask_eventfd(&v->dev, VFIO_PCI_INTX_IRQ_INDEX,
					  second));
	raise_and_take_first(v, intx);
	eventfd_signal(first);
	EXPECT_EQ(vfio_eventfd_wait(intx, QUIET_MS), 0);
	EXPECT_EQ(vfio_eventfd_wait(first, 0), 1);	/* nobody read it */
	eventfd_signal(second);
	EXPECT_GT(vfio_eventfd_wait(intx, WAIT_MS), 0);
	EXPECT_TRUE(stat_reaches(v, "irq_intx_unmask_fd", 1));

	/* QEMU drops it by closing it; a new one can be installed at once. */
	close(second);
	ASSERT_OK(vfio_irq_unmask_eventfd(&v->dev, VFIO_PCI_INTX_IRQ_INDEX,
					  first));
	eventfd_signal(first);
	EXPECT_GT(vfio_eventfd_wait(intx, WAIT_MS), 0);
	EXPECT_TRUE(stat_reaches(v, "irq_intx_unmask_fd", 2));
}

/* Reset keeps it, like the trigger; close releases it. */
TEST(unmask_eventfd_across_reset_and_close)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	int intx = irq_eventfd(v, VFIO_PCI_INTX_IRQ_INDEX);
	int unmask = new_eventfd();

	ASSERT_OK(vfio_irq_unmask_eventfd(&v->dev, VFIO_PCI_INTX_IRQ_INDEX,
					  unmask));
	ASSERT_OK(vfio_reset(&v->dev));
	raise_and_take_first(v, intx);
	eventfd_signal(unmask);
	EXPECT_GT(vfio_eventfd_wait(intx, WAIT_MS), 0);
	EXPECT_TRUE(stat_reaches(v, "irq_intx_unmask_fd", 1));

	/* Closed with the eventfd installed and the line up. */
	vgpu_close(v);
	eventfd_signal(unmask);
	msleep(QUIET_MS);
	EXPECT_EQ(vgpu_stat(v, "irq_intx_unmask_fd"), 1);
	EXPECT_EQ(vfio_eventfd_wait(unmask, 0), 1);
	vgpu_open(v);
	eventfd_signal(unmask);
	msleep(QUIET_MS);
	EXPECT_EQ(vgpu_stat(v, "irq_intx_unmask_fd"), 1);
	/* Installed again after the reopen, then removed with the vGPU. */
	ASSERT_OK(vfio_irq_set_eventfd(&v->dev, VFIO_PCI_INTX_IRQ_INDEX, intx));
	ASSERT_OK(vfio_irq_unmask_eventfd(&v->dev, VFIO_PCI_INTX_IRQ_INDEX,
					  unmask));
	EXPECT_TRUE(stat_reaches(v, "irq_intx_unmask_fd", 2));	/* pending */
	vgpu_remove(v);
}

/*
 * The trigger wired to the unmask eventfd with the line up: every trigger
 * unmasks and fires again (a storm, as with vfio-pci). Removing the
 * eventfd stops it, and so does closing the device, which waits for the
 * last unmask.
 */
TEST(unmask_eventfd_wired_to_the_trigger_storms_until_removed)
{
	struct vgpu *v = vgpu_new(TYPE_SMALL);
	int fd = irq_eventfd(v, VFIO_PCI_INTX_IRQ_INDEX);
	long long n;

	ASSERT_OK(vfio_irq_unmask_eventfd(&v->dev, VFIO_PCI_INTX_IRQ_INDEX, fd));
	vblank_irq_enable(v, PIPE_A);
	pipe_enable(v, PIPE_A, true);
	EXPECT_TRUE(stat_reaches(v, "irq_intx_unmask_fd", 100));
	ASSERT_OK(vfio_irq_unmask_eventfd(&v->dev, VFIO_PCI_INTX_IRQ_INDEX, -1));
	n = vgpu_stat(v, "irq_intx_unmask_fd");
	msleep(QUIET_MS);
	EXPECT_EQ(vgpu_stat(v, "irq_intx_unmask_fd"), n);

	/* Again, ended by close this time. */
	ASSERT_OK(vfio_irq_unmask(&v->dev, VFIO_PCI_INTX_IRQ_INDEX, 0));
	ASSERT_OK(vfio_irq_unmask_eventfd(&v->dev, VFIO_PCI_INTX_IRQ_INDEX, fd));
	EXPECT_TRUE(stat_reaches(v, "irq_intx_unmask_fd", n + 100));
	vgpu_close(v);
	n = vgpu_stat(v, "irq_intx_unmask_fd");
	msleep(QUIET_MS);
	EXPECT_EQ(vgpu_stat(v, "irq_intx_unmask_fd"), n);
}
