# gvmr shell hook for bash. Load it from ~/.bashrc with:
#   eval "$(gvmr hook bash)"
# Each prompt it checks, with shell builtins only, whether the directory,
# GVMR_GO_VERSION or any file that chose the version changed since gvmr
# last looked; only then does it run gvmr.

_gvmr_hook() {
  local previous_exit_status=$?
  if [[ "$PWD" == "${_GVMR_PWD-}" && "${GVMR_GO_VERSION-}" == "${_GVMR_REQ-}" && -n "${_GVMR_STAMP-}" ]]; then
    local watched changed=
    for watched in "${_GVMR_WATCH[@]}"; do
      if [[ "$watched" -nt "$_GVMR_STAMP" ]]; then
        changed=1
        break
      fi
    done
    if [[ -z "$changed" ]]; then
      return "$previous_exit_status"
    fi
  fi
  eval "$(__GVMR__ hook-env --shell bash --pid "$$")"
  return "$previous_exit_status"
}

if [[ ";${PROMPT_COMMAND[*]-};" != *";_gvmr_hook;"* ]]; then
  PROMPT_COMMAND="_gvmr_hook${PROMPT_COMMAND:+;$PROMPT_COMMAND}"
fi
