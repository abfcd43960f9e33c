// SPDX-License-Identifier: MIT
/*
 * The installed headers from C++, as a Genode component includes them
 * (backends/genode/src/server/pv_vmm/main.cc): every public header must
 * give its functions C linkage, or the link below fails. One call from
 * each header's functions is enough for that. tests/consumer/run.py
 * builds and runs it against the installed libpvcore.so.
 */
/* Each header first on its own: none may rely on another's guard. */
#include <pvcore/error.h>
#include <pvcore/board.h>
#include <pvcore/vm.h>
#include <pvcore/patch.h>
#include <pvcore/pvpage.h>
#include <pvcore/decode.h>
#include <pvcore/fastpath.h>
#include <pvcore/linux.h>
#include <pvcore/pvcore.h>

#include <cstdio>
#include <cstring>

int main()
{
	static const char text[] = "pvcore";
	pv_linux_tables tables;
	pv_linux_images images;
	pv_vm_config cfg;
	pv_patch_table sites;
	pv_stub_table stubs;
	pv_insn insn;
	int bad = 0;

	std::memset(&images, 0, sizeof(images));
	std::memset(&cfg, 0, sizeof(cfg));
	bad += std::strcmp(pv_strerror(PV_EINVAL), "") == 0;                 // error.h
	bad += pv_board_check(&pv_board_default) != 0;                       // board.h
	bad += pv_vm_storage_size() > PV_VM_STORAGE_SIZE;                    // vm.h
	bad += pv_patch_crc32(0, text, 6) == 0;                              // patch.h
	bad += pv_patch_table_parse(text, 6, &sites) != PV_EINVAL &&
	       pv_patch_table_parse(text, 6, &sites) != PV_ECORRUPT;
	bad += pv_stub_table_parse(nullptr, 0, &stubs) != PV_EINVAL;        // pvpage.h
	bad += pv_decode_arm(0xee100f10u, &insn) != 0;                      // decode.h
	/* fastpath.h: its one function needs a VM; linking it is the test. */
	int (*volatile set_fast)(pv_vcpu *, pv_fast *) = pv_vcpu_set_fast;
	bad += set_fast == nullptr;
	bad += pv_linux_config(&tables, &images, &cfg, nullptr) != PV_EINVAL; // linux.h
	if (bad) {
		std::printf("consumer_cxx: %d calls answered wrongly\n", bad);
		return 1;
	}
	std::printf("consumer_cxx: the headers link from C++\n");
	return 0;
}
