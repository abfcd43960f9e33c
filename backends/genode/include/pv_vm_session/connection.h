/*
 * \brief  Connection to the PV VM service (core, with the kernel extension)
 *
 * SPDX-License-Identifier: MIT
 */

#ifndef _INCLUDE__PV_VM_SESSION__CONNECTION_H_
#define _INCLUDE__PV_VM_SESSION__CONNECTION_H_

#include <base/connection.h>
#include <pv_vm_session/client.h>

namespace Pv_vm { struct Connection; }


struct Pv_vm::Connection : Genode::Connection<Session>, Session_client
{
	/**
	 * \param ram_quota  pays for the state and log pages and the checked
	 *                   copy of the shadow tables (the pool's size)
	 */
	Connection(Genode::Env &env, Genode::size_t ram_quota,
	           Label const &label = Label())
	:
		Genode::Connection<Session>(env, label, Ram_quota { ram_quota }, Args()),
		Session_client(cap())
	{ }
};

#endif /* _INCLUDE__PV_VM_SESSION__CONNECTION_H_ */
