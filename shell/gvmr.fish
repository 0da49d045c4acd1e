# gvmr shell hook for fish. Load it from ~/.config/fish/config.fish with:
#   gvmr hook fish | source
# Before each prompt it checks, with fish builtins only, whether the
# directory, GVMR_GO_VERSION or any file that chose the version changed
# since gvmr last looked; only then does it run gvmr.

function _gvmr_hook --on-event fish_prompt
    if test "$PWD" = "$_GVMR_PWD"; and test "$GVMR_GO_VERSION" = "$_GVMR_REQ"; and set -q _GVMR_STAMP
        set -l changed
        for watched in $_GVMR_WATCH
            if test "$watched" -nt "$_GVMR_STAMP"
                set changed 1
                break
            end
        end
        if test -z "$changed"
            return
        end
    end
    __GVMR__ hook-env --shell fish --pid $fish_pid | source
end
