// SPDX-License-Identifier: MIT
/*
 * Block storage on the i.MX6 uSDHC (i.MX6DQ reference manual, chapter
 * "Ultra Secured Digital Host Controller"; SD Physical Layer Simplified
 * Specification 2.00), as QEMU's imx-usdhc and sd-card models implement
 * them too. One card, on the first of the four controllers that reports
 * one inserted; polled, no interrupts; PIO through the data buffer port.
 *
 * PIO rather than DMA: the buffers the core passes live anywhere in host
 * RAM (guest RAM or the VM's bounce buffer), cached; PIO copies through
 * the CPU, so no cache maintenance and no alignment rule. Under QEMU each
 * word is one MMIO exit, which is the price (docs/baremetal.md).
 *
 * Every wait is bounded by pvbm_now_ns(); every failure resets the
 * controller's command and data lines, stops a pending multi-block
 * transfer and returns a negative PV_E* code.
 */
#include <pvcore/error.h>

#include "bm.h"

/* The four controllers, in the order they are probed. */
static const uint32_t usdhc_base[] = {
	0x02190000u, 0x02194000u, 0x02198000u, 0x0219c000u,
};

/* CCM_CCGR6: the uSDHC1..4 clock gates (CG1..CG4). A gated controller's
 * registers do not answer on real silicon; QEMU just stores the value. */
#define CCM_CCGR6          0x020c4080u
#define CCGR6_USDHC_ALL    (0xffu << 2)

/* Registers */
#define BLK_ATT            0x04
#define CMD_ARG            0x08
#define CMD_XFR_TYP        0x0c
#define CMD_RSP0           0x10  /* ..0x1c: response bits [127:8] */
#define DATA_BUFF          0x20
#define PRES_STATE         0x24
#define PROT_CTRL          0x28
#define SYS_CTRL           0x2c
#define INT_STATUS         0x30  /* write 1 to clear */
#define INT_STATUS_EN      0x34
#define INT_SIGNAL_EN      0x38
#define AUTOCMD12_ERR      0x3c
#define WTMK_LVL           0x44
#define MIX_CTRL           0x48

/* PRES_STATE */
#define PRES_CIHB          (1u << 0)   /* command line busy */
#define PRES_CDIHB         (1u << 1)   /* data line busy (card busy too) */
#define PRES_SDSTB         (1u << 3)   /* SD clock stable */
#define PRES_BWEN          (1u << 10)  /* room for WR_WML words */
#define PRES_BREN          (1u << 11)  /* RD_WML words to read */
#define PRES_CINST         (1u << 16)  /* card inserted */

/* PROT_CTRL: data transfer width */
#define PROT_DTW_MASK      (3u << 1)
#define PROT_DTW_4BIT      (1u << 1)

/* SYS_CTRL. Bits 3:0 are reserved and must be written as ones (QEMU
 * models them as the SDHCI internal and SD clock enables). */
#define SYS_RESERVED_ONES  0xfu
#define SYS_DVS(d)         ((uint32_t)(d) << 4)    /* divide by d + 1 */
#define SYS_SDCLKFS(p)     ((uint32_t)(p) << 8)    /* prescale by 2p */
#define SYS_DTOCV_MAX      (0xeu << 16)            /* data timeout 2^27 */
#define SYS_RSTA           (1u << 24)
#define SYS_RSTC           (1u << 25)
#define SYS_RSTD           (1u << 26)
#define SYS_INITA          (1u << 27)              /* 80 clocks to the card */

/*
 * The SD clock from the 198 MHz USDHCn_CLK_ROOT the boot loader sets up
 * (PLL2 PFD2 / 2): identification at 198 / 128 / 4 = 387 kHz (at most
 * 400 kHz), data transfer at 198 / 4 / 2 = 24.75 MHz (default speed, at
 * most 25 MHz). QEMU does not model the clock.
 */
#define CLK_IDENT          (SYS_SDCLKFS(0x40) | SYS_DVS(3))
#define CLK_TRANSFER       (SYS_SDCLKFS(0x02) | SYS_DVS(1))

/* INT_STATUS / INT_STATUS_EN */
#define INT_CC             (1u << 0)   /* command complete */
#define INT_TC             (1u << 1)   /* transfer complete */
#define INT_BWR            (1u << 4)
#define INT_BRR            (1u << 5)
#define INT_CTOE           (1u << 16)  /* command timeout */
#define INT_ERRORS         0x117f0000u /* CTOE CCE CEBE CIE DTOE DCE DEBE
					  AC12E DMAE */

/* WTMK_LVL: a whole 512-byte block (128 words) per BREN / BWEN, so the
 * PIO loop moves one block per wait on silicon as it does on QEMU. */
#define WTMK_BLOCK         ((128u << 0) | (8u << 8) | (128u << 16) | (8u << 24))

/* MIX_CTRL: the transfer mode (the SDHCI transfer mode register's bits) */
#define MIX_BCEN           (1u << 1)   /* block count enable */
#define MIX_AC12EN         (1u << 2)   /* auto CMD12 after the last block */
#define MIX_DTDSEL_READ    (1u << 4)
#define MIX_MSBSEL         (1u << 5)   /* multiple blocks */
#define MIX_MODE_MASK      0x7fu

/* CMD_XFR_TYP */
#define XFR_RSP_NONE       (0u << 16)
#define XFR_RSP_136        (1u << 16)
#define XFR_RSP_48         (2u << 16)
#define XFR_RSP_48_BUSY    (3u << 16)
#define XFR_RSP_MASK       (3u << 16)
#define XFR_CCCEN          (1u << 19)  /* check the response CRC */
#define XFR_CICEN          (1u << 20)  /* check the response index */
#define XFR_DPSEL          (1u << 21)  /* data present */
#define XFR_ABORT          (3u << 22)  /* CMD12 */
#define XFR_INDEX(i)       ((uint32_t)(i) << 24)

/* Response formats, as CMD_XFR_TYP bits */
#define R1   (XFR_RSP_48 | XFR_CCCEN | XFR_CICEN)
#define R1B  (XFR_RSP_48_BUSY | XFR_CCCEN | XFR_CICEN)
#define R2   (XFR_RSP_136 | XFR_CCCEN)
#define R3   XFR_RSP_48                /* OCR: no CRC, no index */
#define R6   R1
#define R7   R1

/* The commands this driver sends (ACMDs follow an APP_CMD). */
enum sd_cmd {
	GO_IDLE_STATE, SEND_IF_COND, APP_CMD, SD_SEND_OP_COND, ALL_SEND_CID,
	SEND_RELATIVE_ADDR, SEND_CSD, SELECT_CARD, SET_BLOCKLEN, SEND_STATUS,
	STOP_TRANSMISSION, SET_BUS_WIDTH, READ_SINGLE_BLOCK,
	READ_MULTIPLE_BLOCK, WRITE_BLOCK, WRITE_MULTIPLE_BLOCK,
};

static const uint32_t sd_cmd_xfr[] = {
	[GO_IDLE_STATE]        = XFR_INDEX(0)  | XFR_RSP_NONE,
	[SEND_IF_COND]         = XFR_INDEX(8)  | R7,
	[APP_CMD]              = XFR_INDEX(55) | R1,
	[SD_SEND_OP_COND]      = XFR_INDEX(41) | R3,
	[ALL_SEND_CID]         = XFR_INDEX(2)  | R2,
	[SEND_RELATIVE_ADDR]   = XFR_INDEX(3)  | R6,
	[SEND_CSD]             = XFR_INDEX(9)  | R2,
	[SELECT_CARD]          = XFR_INDEX(7)  | R1B,
	[SET_BLOCKLEN]         = XFR_INDEX(16) | R1,
	[SEND_STATUS]          = XFR_INDEX(13) | R1,
	[STOP_TRANSMISSION]    = XFR_INDEX(12) | R1B | XFR_ABORT,
	[SET_BUS_WIDTH]        = XFR_INDEX(6)  | R1,
	[READ_SINGLE_BLOCK]    = XFR_INDEX(17) | R1 | XFR_DPSEL,
	[READ_MULTIPLE_BLOCK]  = XFR_INDEX(18) | R1 | XFR_DPSEL,
	[WRITE_BLOCK]          = XFR_INDEX(24) | R1 | XFR_DPSEL,
	[WRITE_MULTIPLE_BLOCK] = XFR_INDEX(25) | R1 | XFR_DPSEL,
};

/* Arguments and answers */
#define IF_COND_CHECK      0x1aau      /* 2.7-3.6 V, check pattern 0xAA */
#define OCR_VDD_27_36      0x00ff8000u
#define OCR_HCS            (1u << 30)  /* host/card capacity status */
#define OCR_READY          (1u << 31)  /* power-up done */
#define BUS_WIDTH_4        2u
/* Card status (R1) errors of a data command. Not ILLEGAL_COMMAND or
 * COM_CRC_ERROR: those describe the previous command. */
#define R1_ERRORS          0xe4380000u /* OUT_OF_RANGE ADDRESS BLOCK_LEN
					  WP_VIOLATION ECC CC ERROR */
#define R1_READY_FOR_DATA  (1u << 8)
#define R1_STATE(r)        (((r) >> 9) & 0xfu)
#define R1_STATE_TRAN      4u

#define SECTOR             512u
#define WORDS_PER_SECTOR   (SECTOR / 4)
#define MAX_BLOCKS_PER_CMD 0xffffu     /* BLK_ATT's 16-bit block count */

/* Time limits (SD spec: reads 100 ms, SDHC writes 500 ms a block;
 * ACMD41 power-up 1 s). Generous: a wait ends as soon as it is done. */
#define MS                 1000000ull
#define RESET_TIMEOUT      (100 * MS)
#define CMD_TIMEOUT        (100 * MS)
#define BLOCK_TIMEOUT      (1000 * MS)
#define POWER_UP_TIMEOUT   (1500 * MS)
#define POWER_UP_TRIES     1000
#define POWER_UP_PAUSE     (1 * MS)

/* The card, once pvbm_sd_init() found and selected it. */
static struct {
	uint32_t base;          /* its uSDHC; 0: no card */
	uint16_t rca;
	bool block_addressed;   /* SDHC/SDXC: arguments in sectors, not bytes */
	uint64_t sectors;
} card;

static uint32_t rd(uint32_t base, uint32_t reg) { return pvbm_rd(base + reg); }
static void wr(uint32_t base, uint32_t reg, uint32_t v) { pvbm_wr(base + reg, v); }

/* Wait until (@reg & @mask) == @want, at most @timeout_ns. */
static int wait_reg(uint32_t base, uint32_t reg, uint32_t mask, uint32_t want,
		    uint64_t timeout_ns)
{
	uint64_t deadline = pvbm_now_ns() + timeout_ns;

	for (;;) {
		if ((rd(base, reg) & mask) == want)
			return 0;
		if (pvbm_now_ns() > deadline)
			return PV_EBACKEND;
	}
}

static void pause_ns(uint64_t ns)
{
	uint64_t deadline = pvbm_now_ns() + ns;

	while (pvbm_now_ns() < deadline)
		;
}

/* SYS_CTRL's reset bits self-clear; QEMU acts on one at a time. */
static int reset_lines(uint32_t base, uint32_t which)
{
	uint32_t keep = rd(base, SYS_CTRL) & ~(SYS_RSTA | SYS_RSTC | SYS_RSTD |
					       SYS_INITA);

	wr(base, SYS_CTRL, keep | SYS_RESERVED_ONES | which);
	return wait_reg(base, SYS_CTRL, which, 0, RESET_TIMEOUT);
}

static int set_clock(uint32_t base, uint32_t divisors)
{
	uint32_t v = rd(base, SYS_CTRL) & ~0xfff0u;

	wr(base, SYS_CTRL, v | SYS_RESERVED_ONES | divisors | SYS_DTOCV_MAX);
	return wait_reg(base, PRES_STATE, PRES_SDSTB, PRES_SDSTB, RESET_TIMEOUT);
}

/* After any error: the lines back to idle, the status clean. */
static void recover(uint32_t base)
{
	reset_lines(base, SYS_RSTC);
	reset_lines(base, SYS_RSTD);
	wr(base, INT_STATUS, ~0u);
}

/*
 * Send @cmd with @arg; its response to @resp (NULL: not wanted): one
 * word (R1/R3/R6/R7), or four for an R2 command. A busy response (R1b)
 * returns once the card releases DAT0. The caller recovers on error.
 */
static int sd_command(uint32_t base, enum sd_cmd cmd, uint32_t arg,
		      uint32_t *resp)
{
	uint32_t xfr = sd_cmd_xfr[cmd], inhibit = PRES_CIHB, st;
	uint64_t deadline;

	/* A data or busy command waits for DAT too, except the abort. */
	if ((xfr & XFR_DPSEL) || ((xfr & XFR_RSP_MASK) == XFR_RSP_48_BUSY &&
				  (xfr & XFR_ABORT) != XFR_ABORT))
		inhibit |= PRES_CDIHB;
	if (wait_reg(base, PRES_STATE, inhibit, 0, BLOCK_TIMEOUT))
		return PV_EBACKEND;
	wr(base, INT_STATUS, ~0u);
	wr(base, CMD_ARG, arg);
	wr(base, CMD_XFR_TYP, xfr);

	deadline = pvbm_now_ns() + CMD_TIMEOUT;
	while (!((st = rd(base, INT_STATUS)) & (INT_CC | INT_ERRORS))) {
		if (pvbm_now_ns() > deadline)
			return PV_EBACKEND;
	}
	if (st & INT_ERRORS)
		return PV_EBACKEND;
	wr(base, INT_STATUS, INT_CC);
	if (resp) {
		resp[0] = rd(base, CMD_RSP0);
		if ((xfr & XFR_RSP_MASK) == XFR_RSP_136) {
			resp[1] = rd(base, CMD_RSP0 + 4);
			resp[2] = rd(base, CMD_RSP0 + 8);
			resp[3] = rd(base, CMD_RSP0 + 12);
		}
	}
	if ((xfr & XFR_RSP_MASK) == XFR_RSP_48_BUSY)
		return wait_reg(base, PRES_STATE, PRES_CDIHB, 0, BLOCK_TIMEOUT);
	return 0;
}

static int sd_app_command(uint32_t base, uint16_t rca, enum sd_cmd cmd,
			  uint32_t arg, uint32_t *resp)
{
	uint32_t r1;
	int err = sd_command(base, APP_CMD, (uint32_t)rca << 16, &r1);

	return err ? err : sd_command(base, cmd, arg, resp);
}

/* CSD bits @msb..@lsb (at most 32) from an R2 response: the controller
 * keeps bits 127..8 (no CRC) in four words, bit 8 first. */
static uint32_t csd_bits(const uint32_t rsp[4], unsigned msb, unsigned lsb)
{
	uint32_t v = 0;

	for (unsigned b = msb + 1; b-- > lsb;)
		v = v << 1 | (rsp[(b - 8) / 32] >> ((b - 8) % 32) & 1);
	return v;
}

/* Capacity in sectors from the CSD, 0 if it has an unknown structure. */
static uint64_t csd_sectors(const uint32_t csd[4])
{
	uint64_t c_size;
	uint32_t read_bl_len;

	switch (csd_bits(csd, 127, 126)) {
	case 0: /* CSD 1.0 (SDSC): (C_SIZE + 1) * 2^(C_SIZE_MULT + 2) blocks
		 * of 2^READ_BL_LEN (512..2048) bytes */
		c_size = csd_bits(csd, 73, 62);
		read_bl_len = csd_bits(csd, 83, 80);
		if (read_bl_len < 9 || read_bl_len > 11)
			return 0;
		return ((c_size + 1) << (csd_bits(csd, 49, 47) + 2 +
					 read_bl_len)) / SECTOR;
	case 1: /* CSD 2.0 (SDHC/SDXC): (C_SIZE + 1) * 512 KiB */
		c_size = csd_bits(csd, 69, 48);
		return (c_size + 1) << 10;
	default:
		return 0;
	}
}

/* The identification sequence, SD spec 2.00 figure 4-2, up to a
 * selected card in the transfer state. @what: the step that failed. */
static int card_identify(uint32_t base, const char **what)
{
	uint32_t r, r2[4], ocr_ask = OCR_VDD_27_36;
	uint64_t deadline;
	int tries, err;

	*what = "reset";
	if (reset_lines(base, SYS_RSTA))
		return PV_EBACKEND;
	wr(base, INT_STATUS_EN, INT_CC | INT_TC | INT_BWR | INT_BRR | INT_ERRORS);
	wr(base, INT_SIGNAL_EN, 0);
	wr(base, INT_STATUS, ~0u);
	wr(base, WTMK_LVL, WTMK_BLOCK);
	wr(base, MIX_CTRL, rd(base, MIX_CTRL) & ~MIX_MODE_MASK);
	wr(base, PROT_CTRL, rd(base, PROT_CTRL) & ~PROT_DTW_MASK);
	*what = "clock";
	if (set_clock(base, CLK_IDENT) || reset_lines(base, SYS_INITA))
		return PV_EBACKEND;

	*what = "CMD0";
	if (sd_command(base, GO_IDLE_STATE, 0, NULL))
		return PV_EBACKEND;
	/* CMD8 answers only on a 2.00 card, the only kind that may be
	 * high capacity; silence means a 1.x card. */
	*what = "CMD8";
	if (sd_command(base, SEND_IF_COND, IF_COND_CHECK, &r) == 0) {
		if ((r & 0xfffu) != IF_COND_CHECK)
			return PV_EBACKEND;
		ocr_ask |= OCR_HCS;
	} else {
		recover(base);
	}

	*what = "ACMD41";
	deadline = pvbm_now_ns() + POWER_UP_TIMEOUT;
	for (tries = 0;; tries++) {
		err = sd_app_command(base, 0, SD_SEND_OP_COND, ocr_ask, &r);
		if (err)
			return err;
		if (r & OCR_READY)
			break;
		if (tries == POWER_UP_TRIES || pvbm_now_ns() > deadline)
			return PV_EBACKEND;
		pause_ns(POWER_UP_PAUSE);
	}
	card.block_addressed = (r & OCR_HCS) != 0;

	*what = "CMD2";
	if (sd_command(base, ALL_SEND_CID, 0, r2))
		return PV_EBACKEND;
	*what = "CMD3";
	if (sd_command(base, SEND_RELATIVE_ADDR, 0, &r))
		return PV_EBACKEND;
	card.rca = (uint16_t)(r >> 16);
	*what = "CMD9";
	if (sd_command(base, SEND_CSD, (uint32_t)card.rca << 16, r2))
		return PV_EBACKEND;
	card.sectors = csd_sectors(r2);
	if (!card.sectors)
		return PV_EBACKEND;
	*what = "CMD7";
	if (sd_command(base, SELECT_CARD, (uint32_t)card.rca << 16, &r))
		return PV_EBACKEND;
	/* Byte-addressed cards may have another default block length. */
	*what = "CMD16";
	if (!card.block_addressed &&
	    (sd_command(base, SET_BLOCKLEN, SECTOR, &r) || (r & R1_ERRORS)))
		return PV_EBACKEND;
	/* Every SD card has four data lines. */
	*what = "ACMD6";
	if (sd_app_command(base, card.rca, SET_BUS_WIDTH, BUS_WIDTH_4, &r) ||
	    (r & R1_ERRORS))
		return PV_EBACKEND;
	wr(base, PROT_CTRL, (rd(base, PROT_CTRL) & ~PROT_DTW_MASK) | PROT_DTW_4BIT);
	*what = "clock";
	return set_clock(base, CLK_TRANSFER);
}

static void log_init(const char *what, int n, uint64_t sectors)
{
	pvbm_puts("pvbm: sd: ");
	if (n < 0) {
		pvbm_puts("no card (the virtio disk has no medium)\n");
		return;
	}
	pvbm_puts("card on uSDHC");
	pvbm_put_dec((uint64_t)n + 1);
	if (what) {
		pvbm_puts(" does not answer (");
		pvbm_puts(what);
		pvbm_puts("): the virtio disk has no medium\n");
		return;
	}
	pvbm_puts(", ");
	pvbm_put_dec(sectors);
	pvbm_puts(card.block_addressed ? " sectors (SDHC)\n" :
		  " sectors (SDSC)\n");
}

int pvbm_sd_init(void)
{
	const char *what;
	unsigned n;

	card.base = 0;
	pvbm_wr(CCM_CCGR6, pvbm_rd(CCM_CCGR6) | CCGR6_USDHC_ALL);
	for (n = 0; n < sizeof(usdhc_base) / sizeof(usdhc_base[0]); n++)
		if (pvbm_rd(usdhc_base[n] + PRES_STATE) & PRES_CINST)
			break;
	if (n == sizeof(usdhc_base) / sizeof(usdhc_base[0])) {
		log_init(NULL, -1, 0);
		return PV_EBACKEND;
	}
	if (card_identify(usdhc_base[n], &what)) {
		recover(usdhc_base[n]);
		log_init(what, (int)n, 0);
		return PV_EBACKEND;
	}
	card.base = usdhc_base[n];
	log_init(NULL, (int)n, card.sectors);
	return 0;
}

uint64_t pvbm_sd_sectors(void)
{
	return card.base ? card.sectors : 0;
}

/* One block through the data port, at most one wait per block (the
 * watermarks are a whole block). Unaligned buffers go byte by byte. */
static int pio_block(uint32_t base, uint8_t *buf, bool write)
{
	uint32_t ready = write ? PRES_BWEN : PRES_BREN, pres;
	uint64_t deadline = pvbm_now_ns() + BLOCK_TIMEOUT;

	/* A card pulled mid-transfer: fail now, not at the deadline. */
	while (((pres = rd(base, PRES_STATE)) & ready) == 0) {
		if (!(pres & PRES_CINST) || (rd(base, INT_STATUS) & INT_ERRORS) ||
		    pvbm_now_ns() > deadline)
			return PV_EBACKEND;
	}
	if (((uintptr_t)buf & 3) == 0) {
		uint32_t *w = (uint32_t *)(void *)buf;

		if (write)
			for (unsigned i = 0; i < WORDS_PER_SECTOR; i++)
				wr(base, DATA_BUFF, w[i]);
		else
			for (unsigned i = 0; i < WORDS_PER_SECTOR; i++)
				w[i] = rd(base, DATA_BUFF);
		return 0;
	}
	for (unsigned i = 0; i < SECTOR; i += 4) {
		uint32_t v;

		if (write) {
			v = (uint32_t)buf[i] | (uint32_t)buf[i + 1] << 8 |
			    (uint32_t)buf[i + 2] << 16 | (uint32_t)buf[i + 3] << 24;
			wr(base, DATA_BUFF, v);
		} else {
			v = rd(base, DATA_BUFF);
			buf[i] = (uint8_t)v;
			buf[i + 1] = (uint8_t)(v >> 8);
			buf[i + 2] = (uint8_t)(v >> 16);
			buf[i + 3] = (uint8_t)(v >> 24);
		}
	}
	return 0;
}

/* One command's worth: @count (1..MAX_BLOCKS_PER_CMD) blocks, auto-CMD12
 * ending a multi-block transfer. */
static int transfer(uint64_t sector, uint8_t *buf, uint32_t count, bool write)
{
	static const enum sd_cmd cmd[2][2] = {
		{ READ_SINGLE_BLOCK, READ_MULTIPLE_BLOCK },
		{ WRITE_BLOCK, WRITE_MULTIPLE_BLOCK },
	};
	uint32_t base = card.base, multi = count > 1, r1, st;
	uint32_t arg = (uint32_t)(card.block_addressed ? sector : sector * SECTOR);
	uint64_t deadline;
	int err;

	wr(base, BLK_ATT, count << 16 | SECTOR);
	wr(base, MIX_CTRL, (rd(base, MIX_CTRL) & ~MIX_MODE_MASK) | MIX_BCEN |
		(multi ? MIX_MSBSEL | MIX_AC12EN : 0) |
		(write ? 0 : MIX_DTDSEL_READ));
	err = sd_command(base, cmd[write][multi], arg, &r1);
	if (!err && (r1 & R1_ERRORS))
		err = PV_EBACKEND;
	for (uint32_t i = 0; !err && i < count; i++)
		err = pio_block(base, buf + (size_t)i * SECTOR, write);
	if (!err) {
		deadline = pvbm_now_ns() + BLOCK_TIMEOUT;
		while (!((st = rd(base, INT_STATUS)) & (INT_TC | INT_ERRORS))) {
			if (pvbm_now_ns() > deadline)
				break;
		}
		if (!(st & INT_TC) || (st & INT_ERRORS) ||
		    (multi && rd(base, AUTOCMD12_ERR)))
			err = PV_EBACKEND;
	}
	if (err) {
		/* Back to the transfer state, whatever the card was doing. */
		recover(base);
		sd_command(base, STOP_TRANSMISSION, 0, &r1);
		recover(base);
		return err;
	}
	wr(base, INT_STATUS, ~0u);
	return 0;
}

static int sd_io(uint64_t sector, uint8_t *buf, uint32_t count, bool write)
{
	int err;

	if (!card.base || !(rd(card.base, PRES_STATE) & PRES_CINST))
		return PV_EBACKEND;
	if (sector >= card.sectors || count > card.sectors - sector)
		return PV_ERANGE;
	while (count) {
		uint32_t n = count < MAX_BLOCKS_PER_CMD ? count : MAX_BLOCKS_PER_CMD;

		err = transfer(sector, buf, n, write);
		if (err)
			return err;
		sector += n;
		buf += (size_t)n * SECTOR;
		count -= n;
	}
	return 0;
}

int pvbm_sd_read(uint64_t sector, uint8_t *buf, uint32_t count)
{
	return sd_io(sector, buf, count, false);
}

int pvbm_sd_write(uint64_t sector, const uint8_t *buf, uint32_t count)
{
	/* The write path only reads @buf. */
	return sd_io(sector, (uint8_t *)(uintptr_t)buf, count, true);
}

/*
 * An SD card (spec 2.00) has no volatile write cache to flush: a write is
 * on the medium once the card leaves the programming state. So a flush
 * waits for the card to report ready for data in the transfer state.
 */
int pvbm_sd_flush(void)
{
	uint64_t deadline = pvbm_now_ns() + BLOCK_TIMEOUT;
	uint32_t r1;

	if (!card.base)
		return PV_EBACKEND;
	for (;;) {
		if (sd_command(card.base, SEND_STATUS,
			       (uint32_t)card.rca << 16, &r1)) {
			recover(card.base);
			return PV_EBACKEND;
		}
		if ((r1 & R1_READY_FOR_DATA) && R1_STATE(r1) == R1_STATE_TRAN)
			return 0;
		if (pvbm_now_ns() > deadline)
			return PV_EBACKEND;
	}
}
