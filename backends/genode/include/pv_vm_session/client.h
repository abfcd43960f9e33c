/*
 * \brief  Client side of the PV VM session
 *
 * SPDX-License-Identifier: MIT
 */

#ifndef _INCLUDE__PV_VM_SESSION__CLIENT_H_
#define _INCLUDE__PV_VM_SESSION__CLIENT_H_

#include <base/rpc_client.h>
#include <pv_vm_session/pv_vm_session.h>

namespace Pv_vm { struct Session_client; }


struct Pv_vm::Session_client : Genode::Rpc_client<Session>
{
	explicit Session_client(Capability<Session> cap)
	: Genode::Rpc_client<Session>(cap) { }

	Dataspace_capability state() override { return call<Rpc_state>(); }

	Dataspace_capability table_log() override {
		return call<Rpc_table_log>(); }

	Geometry geometry() override { return call<Rpc_geometry>(); }

	Result attach_ram(Dataspace_capability ram) override {
		return call<Rpc_attach_ram>(ram); }

	Result attach_pool(Dataspace_capability pool) override {
		return call<Rpc_attach_pool>(pool); }

	Result init_tables(Layout layout) override {
		return call<Rpc_init_tables>(layout); }

	Result replay() override { return call<Rpc_replay>(); }

	void icache_inval_all() override { call<Rpc_icache_inval_all>(); }

	void exit_sigh(Signal_context_capability sigh) override {
		call<Rpc_exit_sigh>(sigh); }

	Result run() override { return call<Rpc_run>(); }

	void pause() override { call<Rpc_pause>(); }
};

#endif /* _INCLUDE__PV_VM_SESSION__CLIENT_H_ */
