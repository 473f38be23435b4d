#include "karpenter/state/node_name_table.hpp"

#include <algorithm>
#include <bit>
#include <functional>
#include <stdexcept>
#include <utility>

namespace karpenter::state {

uint32_t NodeNameTable::tagOf(std::string_view name) {
  // Any 32 bits of libstdc++'s std::hash (MurmurHash) are well mixed. The home slot comes from
  // the tag itself, so rehash() moves slots without hashing a name again.
  return static_cast<uint32_t>(std::hash<std::string_view>{}(name) >> 32);
}

size_t NodeNameTable::probe(std::string_view name, uint32_t tag) const {
  const size_t mask = slots_.size() - 1;
  for (size_t i = tag & mask;; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (slot.entry == 0 || (slot.tag == tag && keyOf(entries_[slot.entry - 1]) == name)) {
      return i;  // at most half the slots are used, so an empty one is always reached
    }
  }
}

void NodeNameTable::reserve(size_t count) {
  entries_.reserve(count);
  // Half full at most: linear probing's chains stay a slot or two long.
  const size_t wanted = std::bit_ceil(std::max<size_t>(count * 2, 16));
  if (wanted > slots_.size()) {
    rehash(wanted);
  }
}

bool NodeNameTable::insert(std::string_view name, const StateNode* entry) {
  if (keys_.size() + name.size() > UINT32_MAX) {
    throw std::length_error("NodeNameTable: names exceed 4 GiB");
  }
  if ((entries_.size() + 1) * 2 > slots_.size()) {
    rehash(std::max<size_t>(slots_.size() * 2, 16));
  }
  const uint32_t tag = tagOf(name);
  Slot& slot = slots_[probe(name, tag)];
  if (slot.entry != 0) {
    return false;
  }
  entries_.push_back(
      {static_cast<uint32_t>(keys_.size()), static_cast<uint32_t>(name.size()), entry});
  keys_.append(name);
  slot = {tag, static_cast<uint32_t>(entries_.size())};
  return true;
}

const StateNode* NodeNameTable::find(std::string_view name) const {
  if (slots_.empty()) {
    return nullptr;
  }
  const Slot& slot = slots_[probe(name, tagOf(name))];
  return slot.entry == 0 ? nullptr : entries_[slot.entry - 1].value;
}

void NodeNameTable::rehash(size_t slotCount) {
  std::vector<Slot> old = std::exchange(slots_, std::vector<Slot>(slotCount));
  const size_t mask = slotCount - 1;
  for (const Slot& moved : old) {
    if (moved.entry == 0) {
      continue;
    }
    size_t i = moved.tag & mask;  // names are unique, so only an empty slot is looked for
    while (slots_[i].entry != 0) {
      i = (i + 1) & mask;
    }
    slots_[i] = moved;
  }
}

}  // namespace karpenter::state
