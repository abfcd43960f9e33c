// SPDX-License-Identifier: MIT
/*
 * pvbm bring-up: the i.MX6Q host from reset to the first guest
 * instruction. CPU, MMU and caches, the window's vectors, GIC, timers and
 * UART, all as the platform descriptor says (platform_imx6q.c); then one
 * VM on the default virtual board, built from the same descriptor, with
 * the payload the image carries (payload.c), handed to run.c.
 */
#include "bm.h"
#include "vmm.h"

#define P (&pvbm_platform)

/* The one VM. */
static pv_vm_storage_t vm_storage;
/* The host first-level descriptor of the VMM window, copied by pvcore
 * into every shadow root. */
static uint32_t window_l1_desc[1];

/* pvbm.ld: where the image was really linked. */
extern const char pvbm_image_start[], pvbm_image_end[];
extern const char pvbm_window_start[], pvbm_window_end[], pvbm_window_lma[];
extern uint8_t pvbm_stack_vmm_top[], pvbm_stack_cores[];

void pvbm_main(void);

/*
 * The linker script cannot read the platform descriptor: check that the
 * image sits where the descriptor says, before the MMU relies on it.
 */
static void check_layout(void)
{
	uint32_t window_len = (uint32_t)(pvbm_window_end - pvbm_window_start);

	if ((uintptr_t)pvbm_image_start != P->image_pa ||
	    (uintptr_t)pvbm_image_end > P->pool_pa ||
	    (uintptr_t)pvbm_window_start != P->window_va ||
	    (uintptr_t)pvbm_window_lma != P->window_pa ||
	    window_len > P->window_size ||
	    P->window_pa + (1u << 20) > P->image_pa ||
	    P->pool_pa + P->pool_size > P->guest_pa ||
	    P->guest_pa + P->guest_size > P->ram_end ||
	    P->window_pa < P->ram_base ||
	    /* above the canary page that follows the guest backing */
	    P->seed_pa < P->guest_pa + P->guest_size + 4096u ||
	    P->seed_pa + 4096u > P->ram_end)
		pvbm_fatal("the image is not linked where the platform "
			   "descriptor says (pvbm.ld)", 0, PVBM_EXIT_HOST);
}

static uint32_t check_cpu(void)
{
	uint32_t midr = PVBM_MRC(0, 0, 0, 0), cbar = PVBM_MRC(4, 15, 0, 0);
	uint32_t periph = cbar & 0xffffe000u;

	pvbm_puts("pvbm: host MIDR ");
	pvbm_put_hex(midr);
	pvbm_puts(", CBAR ");
	pvbm_put_hex(cbar);
	pvbm_puts("\n");
	/* QEMU's sabrelite leaves CBAR at 0; the i.MX6Q address is fixed. */
	if (!periph) {
		periph = P->periph_base;
		pvbm_puts("pvbm: CBAR reads 0: using the ");
		pvbm_puts(P->name);
		pvbm_puts(" MPCore base ");
		pvbm_put_hex(periph);
		pvbm_puts("\n");
	} else if (periph != P->periph_base) {
		pvbm_log("warning: MPCore peripherals not at the platform's address");
	}
	return periph;
}

/*
 * Exception modes save straight into this core's window frame; VBAR
 * there. The C handler runs on the core's VMM stack: core 0's own, core
 * n's at the top of its 64 KiB of pvbm_stack_cores (as start.S has it).
 */
void pvbm_vectors_init(unsigned core)
{
	struct pvbm_frame *f = &pvbm_frames[core];

	f->ttbr_window = pvbm_ttbr_window();
	f->ttbr_vmm = pvbm_ttbr_vmm();
	f->dacr_vmm = P->vmm_dacr;
	f->vmm_sp = core ? (uint32_t)(uintptr_t)pvbm_stack_cores + core * 0x10000u
			 : (uint32_t)(uintptr_t)pvbm_stack_vmm_top;
	f->handler = (uint32_t)(uintptr_t)pvbm_trap;
	__asm__ volatile(
		"mrs r1, cpsr\n"
		"cps #0x1b\n mov sp, %0\n"
		"cps #0x17\n mov sp, %0\n"
		"cps #0x12\n mov sp, %0\n"
		"cps #0x11\n mov sp, %0\n"
		"cps #0x13\n mov sp, %0\n"
		"msr cpsr_c, r1\n"
		:: "r"(f) : "r1", "memory");
	PVBM_MCR(0, 12, 0, 0, (uint32_t)(uintptr_t)pvbm_window_vectors);
	pvbm_isb();
}

/*
 * Prove the tick: wait for two. IRQs stay masked in the VMM (the window
 * only takes them from the guest); WFI still wakes on a pending one, and
 * the GIC is polled.
 */
static void check_tick(void)
{
	uint64_t t0 = pvbm_now_ns();

	while (pvbm_ticks < 2) {
		pvbm_wfi();
		pvbm_irq_service(NULL);
	}
	pvbm_puts("pvbm: GIC ");
	pvbm_put_dec(pvbm_gic_lines());
	pvbm_puts(" lines, host tick ok (2 ticks in ");
	pvbm_put_dec((pvbm_now_ns() - t0) / 1000);
	pvbm_puts(" us)\n");
}

/*
 * The VM: the default virtual board, its RAM backed by the platform's
 * guest backing, the shadow pool, and the window.
 */
static void vm_config(struct pv_vm_config *cfg)
{
	const struct pv_board *board = &pv_board_default;

	/* The guest is told of board->ram_size bytes (its device tree says
	 * so too): the platform must back all of them. */
	if (board->ram_size > P->guest_size || board->ram_size & 0xfffu)
		pvbm_fatal("the virtual board's RAM does not fit the "
			   "platform's guest backing", PV_ERANGE, PVBM_EXIT_HOST);
	window_l1_desc[0] = pvbm_window_l1();
	cfg->ops = &pvbm_ops;
	cfg->board = board;
	cfg->ram[0].gpa = pv_gpa(board->ram_base);
	cfg->ram[0].size = board->ram_size;
	cfg->ram[0].hva = pv_hva(P->guest_pa);   /* identity-mapped */
	cfg->ram[0].hpa = pv_hpa(P->guest_pa);
	cfg->ram_count = 1;
	cfg->shadow_pool.hva = pv_hva(P->pool_pa);
	cfg->shadow_pool.hpa = pv_hpa(P->pool_pa);
	cfg->shadow_pool.size = P->pool_size;
	/* Not the whole MiB: the rest holds Linux's vector page and kuser
	 * helpers (0xFFFF0000), which pvcore fills page by page next to the
	 * window's pages. */
	cfg->window_base = P->window_va;
	cfg->window_size = P->window_size;
	cfg->window_l1 = window_l1_desc;
	cfg->ttbr_attrs = P->ttbr_attrs;
	cfg->num_vcpus = 1;
}

void pvbm_main(void)
{
	struct pv_vm *vm = pv_vm_of(&vm_storage);
	struct pv_vm_config cfg = { 0 };
	struct pvbm_payload payload;
	uint32_t periph;
	int err;

	pvbm_uart_init();
	pvbm_puts("\npvbm: pvcore bare-metal host, ");
	pvbm_puts(P->name);
	pvbm_puts("\n");
	check_layout();
	periph = check_cpu();

	/* CPACR: cp10/cp11 full access, so FPEXC.EN alone gates the guest. */
	PVBM_MCR(0, 1, 0, 2, PVBM_MRC(0, 1, 0, 2) | (0xfu << 20));
	pvbm_isb();
	pvbm_vfp_set(false);

	pvbm_mmu_init();
	pvbm_log("MMU and caches on");
	pvbm_vectors_init(0);
	pvbm_log("vectors in the VMM window");
	pvbm_gic_init(periph);
	pvbm_timer_init(periph);
	pvbm_host_cores(periph);
	check_tick();
	if (pvbm_canary_init())
		pvbm_fatal("no room for the host canaries", PV_ERANGE,
			   PVBM_EXIT_HOST);

	vm_config(&cfg);
	cfg.ctx = vm;
	pvbm_payload_config(&cfg);
	err = pv_vm_init(vm, &cfg);
	if (err)
		pvbm_fatal("pv_vm_init", err, PVBM_EXIT_HOST);
	pvbm_report_attach(vm);
	pvbm_payload_load(vm, &cfg.ram[0], &payload);
	pvbm_run(vm, &payload);
}
