# gvmr shell hook for fish. Load it from ~/.config/fish/config.fish with:
#   gvmr hook fish | source
# Before each prompt it calls _gvmr_unchanged, a function each run of
# `gvmr hook-env` redefines: fish builtins testing what decides the Go
# version (the directory, GVMR_GO_VERSION, GOWORK, the version files that
# chose it, the names that would override it, whether it is installed).
# Only when one of those changed does the prompt run gvmr.

function _gvmr_unchanged
    return 1
end

function _gvmr_hook --on-event fish_prompt
    if not _gvmr_unchanged
        __GVMR__ hook-env --shell fish --pid $fish_pid | source
    end
end
