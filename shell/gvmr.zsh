# gvmr shell hook for zsh. Load it from ~/.zshrc with:
#   eval "$(gvmr hook zsh)"
# Before each prompt it checks, with shell builtins only, whether the
# directory, GVMR_GO_VERSION or any file that chose the version changed
# since gvmr last looked; only then does it run gvmr.

_gvmr_hook() {
  if [[ "$PWD" == "${_GVMR_PWD-}" && "${GVMR_GO_VERSION-}" == "${_GVMR_REQ-}" && -n "${_GVMR_STAMP-}" ]]; then
    local watched
    for watched in "${_GVMR_WATCH[@]}"; do
      if [[ "$watched" -nt "$_GVMR_STAMP" ]]; then
        eval "$(__GVMR__ hook-env --shell zsh --pid "$$")"
        return
      fi
    done
    return
  fi
  eval "$(__GVMR__ hook-env --shell zsh --pid "$$")"
}

autoload -Uz add-zsh-hook
add-zsh-hook precmd _gvmr_hook
