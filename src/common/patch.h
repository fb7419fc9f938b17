// Tri-state input fields for create and merge-patch (RFC 7396) bodies: absent, explicit
// null, or a value. `Field<T>` is absent when !has_value(), null when has_value() but
// !value().has_value().
#pragma once

#include <optional>

namespace rapport {

template <typename T>
using Field = std::optional<std::optional<T>>;

template <typename T>
bool IsSet(const Field<T>& f) {
  return f.has_value() && f->has_value();
}

// The value after applying `f` to `current`.
template <typename T>
std::optional<T> Apply(const Field<T>& f, const std::optional<T>& current) {
  return f.has_value() ? *f : current;
}

}  // namespace rapport
