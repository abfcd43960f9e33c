/* SPDX-License-Identifier: MIT */
/**
 * DOC: the virtio console (device ID 3)
 *
 * One port, no features (no MULTIPORT, no SIZE, no EMERG_WRITE), so the
 * configuration space is empty: queue 0 receives, queue 1 transmits
 * (Linux's hvc0). It shares the backend's console stream with the PL011:
 * output goes to console_write straight from guest RAM, input is pulled
 * byte by byte from console_read into the posted receive buffers -- but
 * only while the board's PL011 has its receiver off: a guest listens on
 * the UART's tty (Linux enables the receiver while that tty is open) or
 * on hvc0, and input split between the two would lose keystrokes to the
 * one nobody reads (a
 * buffer completes with what was waiting; none waiting keeps it posted
 * and the platform polls while the guest listens). A transmit chain with
 * writable buffers, or a receive chain with readable ones, completes with
 * used length 0 and nothing is written or read (counted as an error).
 */
#ifndef PVCORE_VIRTIO_CONSOLE_H
#define PVCORE_VIRTIO_CONSOLE_H

#include "pl011.h"
#include "virtio_mmio.h"

#define PV_VIRTIO_ID_CONSOLE 3u
#define PV_VIRTIO_CONSOLE_RXQ 0u
#define PV_VIRTIO_CONSOLE_TXQ 1u

/**
 * struct pv_virtio_console - the console
 * @vdev: the transport (first member)
 * @tx_bytes, @rx_bytes: bytes written to and read from the backend
 * @uart: the board's PL011, which takes input first while its receiver
 *        is on; NULL if the board has none
 */
struct pv_virtio_console {
	struct pv_virtio vdev;
	uint64_t tx_bytes, rx_bytes;
	const struct pv_pl011 *uart;
};

/**
 * pv_virtio_console_init() - reset the console and connect it; @uart is
 * the board's PL011 (or NULL), which has the input while it listens
 */
void pv_virtio_console_init(struct pv_virtio_console *c,
			    const struct pv_virtio_env *env,
			    const struct pv_pl011 *uart);

#endif /* PVCORE_VIRTIO_CONSOLE_H */
