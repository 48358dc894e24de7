// nvmesubsystem collector (off by default): NVMe(-oF) subsystems of
// /sys/class/nvme-subsystem/nvme-subsys<N>/ and their controller paths, as
// node_exporter 1.12.1 exports them: node_nvmesubsystem_info{subsystem,nqn,
// model,serial,iopolicy}, _namespace_info{subsystem,device}, _paths,
// _paths_live{subsystem} and _path_state{subsystem,controller,transport,state}
// (one series per known state, 1 for the current one). No
// /sys/class/nvme-subsystem, or an attribute file missing or unreadable while
// read: no data, as node_exporter.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/core/collector.h"

namespace hostwatch {

// node_exporter's metric state of a controller's `state` file: the kernel's
// states, with "deleting (no IO)" as "deleting" and anything else "unknown".
std::string_view NvmeControllerState(std::string_view raw);

// The metric states, sorted: one path_state series each per controller.
const std::vector<std::string_view>& NvmeControllerStates();

// True for the entries of a subsystem directory node_exporter reads as
// controllers (nvme<N>) and as namespaces (nvme<N>n<M>).
bool IsNvmeControllerName(std::string_view name);
bool IsNvmeNamespaceName(std::string_view name);

CollectorSpec NvmesubsystemCollectorSpec();

}  // namespace hostwatch
