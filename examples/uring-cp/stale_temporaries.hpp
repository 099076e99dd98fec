// stale_temporaries: removing what a killed uring-cp left behind. A process
// killed with SIGKILL (or by a crash or power loss) cannot remove its
// temporaries; the next run that writes the same destination does.
#pragma once

#include "console.hpp"
#include "copy_plan.hpp"

namespace uring_cp {

/// For every destination directory of the plan that exists, removes the
/// temporaries ('.NAME.uring-cp.PID.XXXXXX', see temp_file.hpp) of the names
/// this run is about to write there, or leaves alone because they exist (-n,
/// -u), when they are provably dead: the PID is
/// not a live process, the file is a regular file owned by this user with one
/// link, and no one holds the flock(2) every temporary is created with (which
/// also protects a live writer in another PID namespace). Anything else that
/// merely looks similar (another name, a live PID, a symlink, someone else's
/// file) is left alone. Removals are listed with -v; a removal that fails is
/// a warning.
void remove_stale_temporaries(const copy_plan& plan, bool verbose, console& out);

} // namespace uring_cp
