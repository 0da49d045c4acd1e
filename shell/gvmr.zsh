# gvmr shell hook for zsh. Load it from ~/.zshrc with:
#   eval "$(gvmr hook zsh)"
# Before each prompt it calls _gvmr_unchanged, a function each run of
# `gvmr hook-env` redefines: shell builtins testing what decides the Go
# version (the directory, GVMR_GO_VERSION, GOWORK, the version files that
# chose it, the names that would override it, whether it is installed).
# Only when one of those changed does the prompt run gvmr.

_gvmr_unchanged() { return 1; }

_gvmr_hook() {
  if ! _gvmr_unchanged; then
    eval "$(__GVMR__ hook-env --shell zsh --pid "$$")"
  fi
}

autoload -Uz add-zsh-hook
add-zsh-hook precmd _gvmr_hook
