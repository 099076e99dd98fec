// run_copy: one invocation from plan to exit status: walk the sources, pick
// the method, build directories and links, copy the files with the chosen
// engine under the progress meter and the signal watch, finish directories,
// print the -v summary.
#pragma once

#include "options.hpp"

namespace uring_cp {

/// Returns the exit status: 0 when everything was copied, 1 when anything
/// failed, 128 + signal number when stopped by SIGINT, SIGTERM or SIGHUP.
int run_copy(const options& opts);

} // namespace uring_cp
