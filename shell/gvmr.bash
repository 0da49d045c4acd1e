# gvmr shell hook for bash. Load it from ~/.bashrc with:
#   eval "$(gvmr hook bash)"
# Before each prompt it calls _gvmr_unchanged, a function each run of
# `gvmr hook-env` redefines: shell builtins testing what decides the Go
# version (the directory, GVMR_GO_VERSION, GOWORK, the version files that
# chose it, the names that would override it, whether it is installed).
# Only when one of those changed does the prompt run gvmr.

_gvmr_unchanged() { return 1; }

_gvmr_hook() {
  local previous_exit_status=$?
  if ! _gvmr_unchanged; then
    eval "$(__GVMR__ hook-env --shell bash --pid "$$")"
  fi
  return "$previous_exit_status"
}

if [[ ";${PROMPT_COMMAND[*]-};" != *";_gvmr_hook;"* ]]; then
  PROMPT_COMMAND="_gvmr_hook${PROMPT_COMMAND:+;$PROMPT_COMMAND}"
fi
