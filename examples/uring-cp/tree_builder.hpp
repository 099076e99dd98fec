// tree_builder: the non-file parts of a run: directories (created before the
// files, given their final modes and times after), symbolic links and
// special files (each made under a temporary name and renamed into place).
#pragma once

#include "copy_plan.hpp"
#include "run_context.hpp"

#include <vector>

namespace uring_cp {

class tree_builder {
 public:
  tree_builder(const copy_plan& plan, run_context& ctx);

  /// Creates the missing directories, parents first, with owner rwx added
  /// so the run can fill them (finish_directories sets the final mode).
  /// A directory that cannot be created is reported once; nothing below it
  /// is attempted.
  void make_directories();

  /// Symbolic links (as links) and special files (FIFOs, devices, sockets).
  void make_others();

  /// The regular files whose directory exists.
  std::vector<const copy_item*> runnable_files() const;

  /// --preserve=links: the later names of hard-linked sources, each a hard
  /// link to its first name's copy (made under a temporary name and renamed
  /// into place, like a file). Once the files are done.
  void make_links();

  /// Modes and (with -p) owners and times of directories, deepest first, once
  /// their contents are done.
  void finish_directories();

 private:
  bool parent_ok(const copy_item& item) const;
  void make_other(const copy_item& item);
  void make_link(const copy_item& item, const copy_item& first);

  const copy_plan& plan_;
  run_context& ctx_;
  std::vector<char> failed_;
  std::vector<char> created_;
};

} // namespace uring_cp
