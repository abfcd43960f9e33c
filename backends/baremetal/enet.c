// SPDX-License-Identifier: MIT
/*
 * i.MX6 10/100/1000 Ethernet MAC (ENET, i.MX6DQ reference manual ch. 23;
 * QEMU: -nic user,model=imx.enet,...), polled: no interrupt is enabled.
 *
 * Descriptors: the enhanced (32-byte) layout, ECR.EN1588 = 1, and
 * little-endian, ECR.DBSWP = 1 (what QEMU always assumes). One descriptor
 * is then exactly one 32-byte cache line, so cleaning or invalidating the
 * descriptor pvbm works on never writes back or discards a neighbour the
 * controller owns: the reason for the enhanced layout (eight legacy
 * 8-byte descriptors would share a line with four in flight).
 *
 * Caches: pvbm maps all of RAM Normal write-back and has no non-cacheable
 * mapping, so every hand-over is maintained by MVA to the point of
 * coherency: clean (DCCMVAC) what the CPU wrote before the controller
 * reads it, invalidate (DCIMVAC) before the CPU reads what the controller
 * wrote. Rings and buffers are 32-byte aligned and whole lines, so no
 * maintenance touches other data. pvbm does not enable the PL310 outer
 * cache; if it ever does, these points must also go through the PL310.
 * QEMU has no caches and ignores all of it.
 *
 * Clocks, pads and the PHY's reset are the boot loader's (U-Boot sets
 * them up); pvbm only reads the PHY to match the MAC's speed.
 */
#include <pvcore/error.h>

#include "bm.h"

#define ENET_BASE 0x02188000u   /* ENET (i.MX6DQ RM 2.2 memory map) */

/* Registers (byte offsets). */
#define EIR   0x004
#define EIMR  0x008
#define RDAR  0x010
#define TDAR  0x014
#define ECR   0x024
#define MMFR  0x040
#define MSCR  0x044
#define RCR   0x084
#define TCR   0x0c4
#define PALR  0x0e4
#define PAUR  0x0e8
#define IAUR  0x118
#define IALR  0x11c
#define GAUR  0x120
#define GALR  0x124
#define TFWR  0x144
#define RDSR  0x180
#define TDSR  0x184
#define MRBR  0x188
#define FTRL  0x1b0
#define TACC  0x1c0
#define RACC  0x1c4

#define EIR_EBERR        (1u << 22)  /* DMA bus error: the MAC stopped */
#define EIR_MII          (1u << 23)  /* MDIO frame done */
#define DAR_ACTIVE       (1u << 24)  /* RDAR/TDAR: descriptors are ready */
#define ECR_RESET        (1u << 0)
#define ECR_ETHEREN      (1u << 1)
#define ECR_EN1588       (1u << 4)   /* enhanced descriptors */
#define ECR_SPEED_1000   (1u << 5)
#define ECR_DBSWP        (1u << 8)   /* little-endian descriptors */
#define RCR_MII_MODE     (1u << 2)   /* required set */
#define RCR_RGMII_EN     (1u << 6)   /* the i.MX6Q's PHY interface */
#define RCR_RMII_10T     (1u << 9)   /* 10 Mb/s */
#define RCR_MAX_FL(n)    ((uint32_t)(n) << 16)
#define TCR_FDEN         (1u << 2)   /* full duplex */
#define TFWR_STRFWD      (1u << 8)   /* send only whole frames: no underrun */
#define PAUR_TYPE        0x8808u     /* the pause frame's type field */

/* MMFR: one clause-22 MDIO frame. */
#define MMFR_READ(phy, reg)  (0x60020000u | (uint32_t)(phy) << 23 | \
			      (uint32_t)(reg) << 18)
/* MDC = 66 MHz ipg clock / ((13 + 1) * 2) = 2.36 MHz, under 2.5 MHz. */
#define MSCR_MDC_66MHZ       (13u << 1)

/* Descriptor control bits (word at offset 2). */
#define BD_READY         (1u << 15)  /* TX: R, the controller owns it */
#define BD_EMPTY         (1u << 15)  /* RX: E, the controller owns it */
#define BD_WRAP          (1u << 13)  /* last of the ring */
#define BD_LAST          (1u << 11)  /* last buffer of the frame */
#define BD_TX_CRC        (1u << 10)  /* TX: append the FCS */
/* RX errors, valid with BD_LAST: too long, not octet-aligned, CRC,
 * FIFO overrun, truncated. */
#define BD_RX_ERRORS     ((1u << 5) | (1u << 4) | (1u << 2) | (1u << 1) | \
			  (1u << 0))
#define BD_EXT_TX_ERROR  (1u << 15)  /* ext_status: a TX error summary */

#define RX_SLOTS    32u
#define TX_SLOTS    16u
#define BUF_SIZE    1536u   /* MRBR: a multiple of 16 and of the line */
#define MAX_FRAME   1514u   /* no FCS; bm.h's and PV_NET_FRAME_MAX */
#define MIN_FRAME   14u
#define PAD_TO      60u     /* Ethernet minimum without FCS */
#define FCS_LEN     4u
#define LINE        32u     /* Cortex-A9 L1 D-cache line */

#define RESET_TIMEOUT_NS  10000000ull   /* 10 ms */
#define MDIO_TIMEOUT_NS   1000000ull    /* 1 ms; a frame takes ~27 us */

/* The enhanced buffer descriptor, little-endian (DBSWP). */
struct enet_desc {
	uint16_t len;
	uint16_t ctrl;
	uint32_t buf;
	uint32_t ext_status;    /* interrupt enables, TX error summary */
	uint32_t proto;         /* checksum and protocol: unused */
	uint32_t bdu;           /* bit 31: the controller updated this one */
	uint32_t timestamp;
	uint32_t reserved[2];
};
_Static_assert(sizeof(struct enet_desc) == LINE,
	       "one descriptor per cache line");

static struct enet_desc rx_ring[RX_SLOTS] __attribute__((aligned(LINE)));
static struct enet_desc tx_ring[TX_SLOTS] __attribute__((aligned(LINE)));
static uint8_t rx_buf[RX_SLOTS][BUF_SIZE] __attribute__((aligned(LINE)));
static uint8_t tx_buf[TX_SLOTS][BUF_SIZE] __attribute__((aligned(LINE)));

/* Used when the controller has no address, or does not answer at all. */
static const uint8_t fallback_mac[6] = { 0x02, 0x70, 0x76, 0x62, 0x6d, 0x00 };

enum enet_state { ENET_DOWN, ENET_UP, ENET_FAILED };

static struct {
	enum enet_state state;
	unsigned rx_next, tx_next;
	bool rx_in_fragment;    /* dropping the rest of a multi-buffer frame */
	uint32_t sent, received, dropped, ring_full, tx_errors;
} enet;

#define REG(o) (ENET_BASE + (o))

static void dcache_clean(const void *p, size_t len)
{
	uintptr_t a = (uintptr_t)p & ~(uintptr_t)(LINE - 1);

	for (; a < (uintptr_t)p + len; a += LINE)
		PVBM_MCR(0, 7, 10, 1, (uint32_t)a);  /* DCCMVAC */
	pvbm_dsb();
}

/* Only on whole lines pvbm owns: a dirty line is discarded. */
static void dcache_inval(const void *p, size_t len)
{
	uintptr_t a = (uintptr_t)p & ~(uintptr_t)(LINE - 1);

	for (; a < (uintptr_t)p + len; a += LINE)
		PVBM_MCR(0, 7, 6, 1, (uint32_t)a);   /* DCIMVAC */
	pvbm_dsb();
}

static void copy_bytes(uint8_t *dst, const uint8_t *src, size_t n)
{
	while (n--)
		*dst++ = *src++;
}

/* Poll until @reg & @mask == @want or @timeout_ns passes. */
static bool wait_reg(uint32_t reg, uint32_t mask, uint32_t want,
		     uint64_t timeout_ns)
{
	uint64_t end = pvbm_now_ns() + timeout_ns;

	do {
		if ((pvbm_rd(REG(reg)) & mask) == want)
			return true;
	} while (pvbm_now_ns() < end);
	return (pvbm_rd(REG(reg)) & mask) == want;
}

/* One PHY register, or -1 if nobody answers. */
static int mdio_read(unsigned phy, unsigned reg)
{
	uint32_t v;

	pvbm_wr(REG(EIR), EIR_MII);
	pvbm_wr(REG(MMFR), MMFR_READ(phy, reg));
	if (!wait_reg(EIR, EIR_MII, EIR_MII, MDIO_TIMEOUT_NS))
		return -1;
	pvbm_wr(REG(EIR), EIR_MII);
	v = pvbm_rd(REG(MMFR)) & 0xffffu;
	return v == 0xffffu ? -1 : (int)v;
}

/*
 * The link as the first PHY on the MDIO bus reports it, in standard
 * (clause 22) registers: the MAC must run at the speed the PHY negotiated.
 * No PHY, or no gigabit/10 Mb/s indication: 100 Mb/s, which QEMU ignores.
 */
enum link_speed { LINK_100, LINK_1000, LINK_10 };

static enum link_speed phy_speed(void)
{
	enum { BMSR = 1, ANAR = 4, ANLPAR = 5, GBCR = 9, GBSR = 10 };
	unsigned phy = 0;
	int ours, theirs;

	while (mdio_read(phy, BMSR) < 0)
		if (++phy == 32)
			return LINK_100;
	ours = mdio_read(phy, GBCR);
	theirs = mdio_read(phy, GBSR);
	if (ours >= 0 && theirs >= 0 && (ours & (1 << 9)) &&
	    (theirs & (1 << 11)))               /* both 1000BASE-T FD */
		return LINK_1000;
	ours = mdio_read(phy, ANAR);
	theirs = mdio_read(phy, ANLPAR);
	if (ours >= 0 && theirs > 0 && !(ours & theirs & (3 << 7)) &&
	    (ours & theirs & (3 << 5)))          /* no common 100, some 10 */
		return LINK_10;
	return LINK_100;
}

static void rx_arm(unsigned i)
{
	volatile struct enet_desc *d = &rx_ring[i];

	d->len = 0;
	d->ext_status = 0;
	d->bdu = 0;
	__asm__ volatile("dmb" ::: "memory");  /* fields before ownership */
	d->ctrl = (uint16_t)(BD_EMPTY | (i == RX_SLOTS - 1 ? BD_WRAP : 0));
	dcache_clean(&rx_ring[i], sizeof(rx_ring[i]));
}

static void rings_init(void)
{
	unsigned i;

	for (i = 0; i < RX_SLOTS; i++) {
		rx_ring[i].buf = (uint32_t)(uintptr_t)rx_buf[i];
		/* No dirty line may land on the controller's data later. */
		dcache_inval(rx_buf[i], BUF_SIZE);
		rx_arm(i);
	}
	for (i = 0; i < TX_SLOTS; i++) {
		tx_ring[i].len = 0;
		tx_ring[i].ext_status = 0;
		tx_ring[i].buf = (uint32_t)(uintptr_t)tx_buf[i];
		tx_ring[i].ctrl = (uint16_t)(i == TX_SLOTS - 1 ? BD_WRAP : 0);
		dcache_clean(&tx_ring[i], sizeof(tx_ring[i]));
	}
	enet.rx_next = enet.tx_next = 0;
	enet.rx_in_fragment = false;
}

static bool mac_usable(const uint8_t mac[6])
{
	unsigned zero = 0;

	for (unsigned i = 0; i < 6; i++)
		zero += mac[i] == 0;
	return zero < 6 && !(mac[0] & 1);   /* not 0, not multicast */
}

int pvbm_enet_init(uint8_t mac[6])
{
	uint32_t palr, paur, ecr = ECR_ETHEREN | ECR_EN1588 | ECR_DBSWP;
	uint32_t rcr = RCR_MAX_FL(MAX_FRAME + FCS_LEN) | RCR_MII_MODE |
		       RCR_RGMII_EN;
	unsigned i;

	/* The address the boot loader (or QEMU) left, before the reset. */
	palr = pvbm_rd(REG(PALR));
	paur = pvbm_rd(REG(PAUR));
	for (i = 0; i < 4; i++)
		mac[i] = (uint8_t)(palr >> (24 - 8 * i));
	mac[4] = (uint8_t)(paur >> 24);
	mac[5] = (uint8_t)(paur >> 16);
	if (!mac_usable(mac))
		copy_bytes(mac, fallback_mac, 6);

	enet.state = ENET_FAILED;
	pvbm_wr(REG(ECR), ECR_RESET);
	if (!wait_reg(ECR, ECR_RESET | ECR_ETHEREN, 0, RESET_TIMEOUT_NS))
		goto absent;
	pvbm_wr(REG(MRBR), BUF_SIZE);
	if (pvbm_rd(REG(MRBR)) != BUF_SIZE)     /* is anybody there? */
		goto absent;

	pvbm_wr(REG(EIMR), 0);
	pvbm_wr(REG(EIR), ~0u);
	pvbm_wr(REG(MSCR), MSCR_MDC_66MHZ);
	pvbm_wr(REG(PALR), (uint32_t)mac[0] << 24 | (uint32_t)mac[1] << 16 |
			   (uint32_t)mac[2] << 8 | mac[3]);
	pvbm_wr(REG(PAUR), (uint32_t)mac[4] << 24 | (uint32_t)mac[5] << 16 |
			   PAUR_TYPE);
	/* Unicast to us and broadcast only: no multicast hash. */
	pvbm_wr(REG(IAUR), 0);
	pvbm_wr(REG(IALR), 0);
	pvbm_wr(REG(GAUR), 0);
	pvbm_wr(REG(GALR), 0);
	switch (phy_speed()) {
	case LINK_1000: ecr |= ECR_SPEED_1000; break;
	case LINK_10: rcr |= RCR_RMII_10T; break;
	case LINK_100: break;
	}
	pvbm_wr(REG(RCR), rcr);                 /* also clears LOOP */
	pvbm_wr(REG(TCR), TCR_FDEN);
	pvbm_wr(REG(TFWR), TFWR_STRFWD);
	/* Every frame fits one buffer: longer ones arrive truncated (TR). */
	pvbm_wr(REG(FTRL), BUF_SIZE);
	pvbm_wr(REG(TACC), 0);                  /* no checksum insertion */
	pvbm_wr(REG(RACC), 0);                  /* no SHIFT16, no discards */

	rings_init();
	pvbm_wr(REG(RDSR), (uint32_t)(uintptr_t)rx_ring);
	pvbm_wr(REG(TDSR), (uint32_t)(uintptr_t)tx_ring);
	pvbm_wr(REG(MRBR), BUF_SIZE);
	pvbm_dsb();
	pvbm_wr(REG(ECR), ecr);
	pvbm_wr(REG(RDAR), DAR_ACTIVE);
	enet.state = ENET_UP;
	return 0;

absent:
	copy_bytes(mac, fallback_mac, 6);
	return PV_EBACKEND;
}

/* A DMA bus error stops the controller for good (until a re-init). */
static bool enet_usable(void)
{
	if (enet.state == ENET_UP && (pvbm_rd(REG(EIR)) & EIR_EBERR))
		enet.state = ENET_FAILED;
	return enet.state == ENET_UP;
}

int pvbm_enet_send(const uint8_t *frame, size_t len)
{
	unsigned i = enet.tx_next;
	volatile struct enet_desc *d = &tx_ring[i];
	size_t wire_len = len < PAD_TO ? PAD_TO : len;

	if (!enet_usable())
		return PV_EBACKEND;
	if (len < MIN_FRAME || len > MAX_FRAME)
		return PV_EINVAL;
	dcache_inval(&tx_ring[i], sizeof(tx_ring[i]));
	if (d->ctrl & BD_READY) {
		enet.ring_full++;
		pvbm_wr(REG(TDAR), DAR_ACTIVE);  /* in case it went idle */
		return PV_ENOMEM;
	}
	if (d->ext_status & BD_EXT_TX_ERROR)    /* this slot's last frame */
		enet.tx_errors++;

	copy_bytes(tx_buf[i], frame, len);
	for (size_t n = len; n < wire_len; n++)
		tx_buf[i][n] = 0;
	dcache_clean(tx_buf[i], wire_len);

	d->len = (uint16_t)wire_len;
	d->ext_status = 0;
	d->bdu = 0;
	__asm__ volatile("dmb" ::: "memory");
	d->ctrl = (uint16_t)(BD_READY | BD_LAST | BD_TX_CRC |
			     (i == TX_SLOTS - 1 ? BD_WRAP : 0));
	dcache_clean(&tx_ring[i], sizeof(tx_ring[i]));
	pvbm_wr(REG(TDAR), DAR_ACTIVE);
	enet.tx_next = (i + 1) % TX_SLOTS;
	enet.sent++;
	return 0;
}

/*
 * Take the frame in the next RX slot: its length if it is good and fits
 * @cap (copied to @buf), 0 if it was dropped (the slot is re-armed either
 * way), or -1 if the controller still owns the slot.
 */
static int rx_take(uint8_t *buf, size_t cap)
{
	unsigned i = enet.rx_next;
	const volatile struct enet_desc *d = &rx_ring[i];
	uint16_t ctrl;
	size_t len;
	int got = 0;

	dcache_inval(&rx_ring[i], sizeof(rx_ring[i]));
	ctrl = d->ctrl;
	if (ctrl & BD_EMPTY)
		return -1;
	__asm__ volatile("dmb" ::: "memory");  /* ownership before fields */
	len = d->len;
	if (!(ctrl & BD_LAST)) {
		/* Cannot happen with FTRL = MRBR; never deliver half a frame. */
		enet.rx_in_fragment = true;
	} else if (enet.rx_in_fragment || (ctrl & BD_RX_ERRORS) ||
		   len < MIN_FRAME + FCS_LEN || len - FCS_LEN > cap) {
		enet.rx_in_fragment = false;
		enet.dropped++;
	} else {
		len -= FCS_LEN;
		dcache_inval(rx_buf[i], len);
		copy_bytes(buf, rx_buf[i], len);
		enet.received++;
		got = (int)len;
	}
	rx_arm(i);
	enet.rx_next = (i + 1) % RX_SLOTS;
	/* The controller stops when it meets a full slot: restart it. */
	pvbm_wr(REG(RDAR), DAR_ACTIVE);
	return got;
}

int pvbm_enet_recv(uint8_t *buf, size_t cap)
{
	if (!enet_usable())
		return PV_EBACKEND;
	/* Skip dropped frames, at most one ring's worth per call. */
	for (unsigned n = 0; n < RX_SLOTS; n++) {
		int got = rx_take(buf, cap);

		if (got)
			return got < 0 ? 0 : got;
	}
	return 0;
}

void pvbm_enet_report(void)
{
	if (enet.state == ENET_DOWN)
		return;
	pvbm_puts("pvbm: network (ENET): ");
	if (enet.state == ENET_FAILED)
		pvbm_puts("failed; ");
	pvbm_put_dec(enet.sent);
	pvbm_puts(" frames sent, ");
	pvbm_put_dec(enet.received);
	pvbm_puts(" received, ");
	pvbm_put_dec(enet.dropped);
	pvbm_puts(" dropped on receive, ");
	pvbm_put_dec(enet.ring_full);
	pvbm_puts(" refused (transmit ring full), ");
	pvbm_put_dec(enet.tx_errors);
	pvbm_puts(" transmit errors\n");
}
