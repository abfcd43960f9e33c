/* SPDX-License-Identifier: MIT */
/**
 * DOC: the virtio console (device ID 3)
 *
 * One port, no features (no MULTIPORT, no SIZE, no EMERG_WRITE), so the
 * configuration space is empty: queue 0 receives, queue 1 transmits
 * (Linux's hvc0). It shares the backend's console stream with the PL011:
 * output goes to console_write straight from guest RAM, input is pulled
 * byte by byte from console_read into the posted receive buffers (a
 * buffer completes with what was waiting; none waiting keeps it posted
 * and the platform polls while the guest listens). A transmit chain with
 * writable buffers, or a receive chain with readable ones, completes with
 * used length 0 and nothing is written or read (counted as an error).
 */
#ifndef PVCORE_VIRTIO_CONSOLE_H
#define PVCORE_VIRTIO_CONSOLE_H

#include "virtio_mmio.h"

#define PV_VIRTIO_ID_CONSOLE 3u
#define PV_VIRTIO_CONSOLE_RXQ 0u
#define PV_VIRTIO_CONSOLE_TXQ 1u

/**
 * struct pv_virtio_console - the console
 * @vdev: the transport (first member)
 * @tx_bytes, @rx_bytes: bytes written to and read from the backend
 */
struct pv_virtio_console {
	struct pv_virtio vdev;
	uint64_t tx_bytes, rx_bytes;
};

/** pv_virtio_console_init() - reset the console and connect it */
void pv_virtio_console_init(struct pv_virtio_console *c,
			    const struct pv_virtio_env *env);

#endif /* PVCORE_VIRTIO_CONSOLE_H */
