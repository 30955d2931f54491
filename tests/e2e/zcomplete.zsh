#!/usr/bin/zsh -f
# zcomplete.zsh FPATH-DIR LINE: the completions an interactive zsh offers
# for LINE (after its last character), one per line, sorted.
zmodload zsh/zpty || exit 2
dir=$1 line=$2
zpty z zsh -f -i
# Markers are written split in two, so that the echo of this input is never taken for them.
zpty -w z "stty -echo"
zpty -w z "PROMPT= RPROMPT= PS2=; fpath=(${(q)dir} \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w z "zstyle ':completion:*' list-grouped false; zstyle ':completion:*' menu no"
# Every candidate added, printed between markers; then the shell ends.
zpty -w z 'compadd() {
	if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return; fi
	local -a hits; builtin compadd -A hits "$@"
	local h; for h in $hits; do print -r -- "<ca""nd>$h</ca""nd>"; done
	builtin compadd "$@"
}'
zpty -w z '_zc_complete() { _main_complete; print -r -- "<do""ne>"; exit }'
zpty -w z 'zle -C zc-complete complete-word _zc_complete; bindkey "^I" zc-complete'
zpty -n -w z "$line"$'\t'
out= chunk=
while zpty -r -t z chunk || sleep 0.05; do
	out+=$chunk
	[[ $out == *'<done>'* ]] && break
	(( SECONDS > 10 )) && { print -u2 "zcomplete: no answer for: $line"; exit 1; }
done
zpty -d z
print -r -- ${(F)${(ou)${(M)${(f)out//<cand>/$'\n'<cand>}:#<cand>*}}} | sed 's/^<cand>//; s/<\/cand>.*//'
