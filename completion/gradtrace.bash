# bash completion for gradtrace(1): subcommands, each subcommand's long options (the lists
# below are those of `gradtrace SUB --help`; tests/install/run checks that they agree), the
# enumerated values of --activation, --init, --optimizer, --loss, --norm, --dtype, census --inputs
# and --bias, --data specs (csv:, idx: and fashion-mnist: followed by a file or directory),
# FILE.ini for sweep, and for plot its --kind and --y values and run or sweep directories. Installed as share/bash-completion/completions/gradtrace.

_gradtrace_opts_run='--depth --width --activation --alpha --relu-grad-at-zero --init
  --residual --residual-scale --norm --norm-eps --clip-grad-norm
  --sigma-w2 --sigma-b2 --data --test-csv --normalize --input-dim --classes --train-size
  --test-size --eval-every --loss --optimizer --lr --momentum --batch --steps --epochs --dtype
  --seed --threads --every --census-every --probe-size --jacobian-every --jacobian-samples
  --histograms --save-weights --checkpoint-every --out --force --progress --quiet --resume'
_gradtrace_opts_sweep='--out -j --jobs --shard --force --index --slurm --array-size --sbatch-args
  --dry-run'
_gradtrace_opts_theory='--activation --alpha --sigma-w2 --sigma-b2 --depth --residual
  --residual-scale --q0 --csv
  --critical --phase-grid --w2-range --b2-range'
_gradtrace_opts_census='--widths --depths --trials --input-dim --inputs --bias --sigma-b2
  --init --sigma-w2 --activation --alpha --seed --threads --per-layer --csv'
_gradtrace_opts_spectrum='--widths --depths --trials --activation --alpha --init --sigma-w2
  --sigma-b2 --seed --threads --csv'
_gradtrace_opts_activations='--from --to --points --alpha --relu-grad-at-zero'
_gradtrace_opts_plot='--kind --step --by --y --out'
# options that take no value (after them, complete the next option)
_gradtrace_flags=' --normalize --histograms --force --quiet --slurm --dry-run --csv --critical
  --phase-grid --per-layer --help --version '

# COMPREPLY for a word that holds ':' (csv:PATH): bash splits words at the characters of
# COMP_WORDBREAKS, ':' among them by default, and replaces only the part after the last ':'
_gradtrace_colon_trim()
{
    local cur=$1 pre i
    [[ $cur == *:* && $COMP_WORDBREAKS == *:* ]] || return 0
    pre=${cur%"${cur##*:}"}
    for i in "${!COMPREPLY[@]}"; do COMPREPLY[i]=${COMPREPLY[i]#"$pre"}; done
}

_gradtrace()
{
    # words split at white space only, so that csv:PATH is one word
    local line=${COMP_LINE:0:COMP_POINT} cur prev sub opts IFS=$' \t\n'
    local -a w
    read -ra w <<< "$line"
    if [[ $line == *[[:space:]] || -z $line ]]; then
        cur=''; w+=('')
    fi
    cur=${w[${#w[@]}-1]}
    prev=${w[${#w[@]}-2]}
    COMPREPLY=()

    if (( ${#w[@]} <= 2 )); then
        COMPREPLY=($(compgen -W 'run sweep census spectrum theory activations plot help --version --help' -- "$cur"))
        return 0
    fi
    sub=${w[1]}
    case $sub in
        run|sweep|theory|census|spectrum|activations|plot) ;;
        *) return 0 ;;
    esac
    local -n opts_ref=_gradtrace_opts_$sub
    opts=$opts_ref

    local acts='sigmoid tanh relu leaky_relu elu selu gelu softplus swish softsign linear'
    local inits='standard xavier-uniform xavier-normal he-uniform he-normal lecun-normal orthogonal gaussian rai'
    if [[ $sub == plot && $prev == -* ]]; then
        case $prev in
            --kind) COMPREPLY=($(compgen -W 'profile training dead histograms jacobian' -- "$cur")) ;;
            --y) COMPREPLY=($(compgen -W 'grad delta' -- "$cur")) ;;
            --step) COMPREPLY=($(compgen -W 'last' -- "$cur")) ;;
            --out)
                compopt -o filenames 2>/dev/null
                COMPREPLY=($(compgen -f -- "$cur")) ;;
        esac
        [[ $prev == --@(kind|y|step|out|by) ]] && return 0
    fi
    if [[ $prev == -* && $_gradtrace_flags != *" $prev "* ]]; then
        case $prev in
            --activation) COMPREPLY=($(compgen -W "$acts" -- "$cur")) ;;
            --init) COMPREPLY=($(compgen -W "$inits" -- "$cur")) ;;
            --optimizer) COMPREPLY=($(compgen -W 'sgd momentum adam' -- "$cur")) ;;
            --loss) COMPREPLY=($(compgen -W 'xent mse' -- "$cur")) ;;
            --norm) COMPREPLY=($(compgen -W 'none batch layer' -- "$cur")) ;;
            --dtype) COMPREPLY=($(compgen -W 'float32 float64' -- "$cur")) ;;
            --progress) COMPREPLY=($(compgen -W 'auto lines off' -- "$cur")) ;;
            --bias) COMPREPLY=($(compgen -W 'on off' -- "$cur")) ;;
            --inputs)
                COMPREPLY=($(compgen -W 'pm1 gaussian: uniform:' -- "$cur"))
                [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *: ]] && compopt -o nospace 2>/dev/null ;;
            --data)
                case $cur in
                    csv:*|idx:*)
                        # idx:IMAGES,LABELS: complete the file after the last comma too
                        local head=${cur%%:*}: path=${cur#*:} lead=''
                        if [[ $head == idx: && $path == *,* ]]; then
                            lead=${path%,*},; path=${path##*,}
                        fi
                        compopt -o filenames 2>/dev/null
                        COMPREPLY=($(compgen -f -- "$path"))
                        COMPREPLY=("${COMPREPLY[@]/#/$head$lead}") ;;
                    fashion-mnist:*)
                        compopt -o filenames 2>/dev/null
                        COMPREPLY=($(compgen -d -- "${cur#fashion-mnist:}"))
                        COMPREPLY=("${COMPREPLY[@]/#/fashion-mnist:}") ;;
                    *)
                        COMPREPLY=($(compgen -W 'gaussian spirals fashion-mnist fashion-mnist: csv: idx:' -- "$cur"))
                        [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *: ]] && compopt -o nospace 2>/dev/null ;;
                esac
                _gradtrace_colon_trim "$cur" ;;
            --test-csv)
                compopt -o filenames 2>/dev/null
                COMPREPLY=($(compgen -f -- "$cur")) ;;
            --out|--index|--resume)
                compopt -o filenames 2>/dev/null
                COMPREPLY=($(compgen -d -- "$cur")) ;;
            *) ;;  # a number, a list or a range: nothing to offer
        esac
        return 0
    fi

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts --help" -- "$cur"))
    elif [[ $sub == plot ]]; then
        # run and sweep directories
        compopt -o filenames 2>/dev/null
        COMPREPLY=($(compgen -d -- "$cur"))
    elif [[ $sub == sweep ]]; then
        # FILE.ini (and directories on the way to one)
        compopt -o filenames 2>/dev/null
        COMPREPLY=($(compgen -f -X '!*.ini' -- "$cur") $(compgen -d -- "$cur"))
    fi
    return 0
}
complete -F _gradtrace gradtrace
