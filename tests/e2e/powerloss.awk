# tests/e2e/powerloss.awk: after a power loss, judges the locks the server
# shows against what its clients were told. Used by powerloss.sh:
#
#	awk -v skip=REGEX -f powerloss.awk STATE CLIENT-LOG...
#
# STATE: the admin listing after the restart, one line per hold or lock:
#	g ID FENCE EXPIRES_MS		a getlock hold
#	l ID LOCKED EXPIRES_MS|null	an LSS lock (LOCKED true or false)
# CLIENT-LOGs, in the order their requests were made (a log of a later
# power-loss cycle after the earlier ones), one line per event; KEY is a
# lock id, or ID@OWNER for a lock that several owners share:
#	try KEY OP			a request about to be sent
#	ack KEY OP [FENCE EXPIRES]	its answer was the success it asked for
#	ack KEY post LSSKEY		(an LSS lock created: KEY its id)
#	ack KEY refuse FENCE EXPIRES	an intruder's PUT refused (423), as
#					it must be: nothing changed
#	no KEY OP CODE			any other answer: CODE 423, 404 or 409
#					changed nothing; 000 or 5xx may have
# OP is new (a plain PUT of a new id), acq (a PUT with an owner), refuse
# (a PUT of another owner), ref (a refresh by the owner, with a new ttl),
# rel (a DELETE with the owner), post, lock (an
# LSS lock with a deadline), lockf (an LSS lock without one), unlock.
#
# A key's expected state is the one its last acknowledged request left;
# the requests sent after it and never answered (cut by the power loss),
# or answered 000 or 5xx, may have taken effect too: any of those states
# is right (the clients stop at their first 000 or 5xx, so there is one
# such request at most, but a list is kept all the same).
# Prints one line per violation, then the summary line
#	powerloss: N acknowledged, N checked, N lost, N phantom, N uncertain
# lost: an acknowledged change the server no longer shows (a hold, a
# refresh, a release, an LSS change); phantom: a hold or lock no
# acknowledged or unanswered request explains (a refused one included).
#
# Copyright (c) 2026 The lockgate authors. ISC licence: see LICENSE.

function ms(s)
{
	return sprintf("%.0f", s * 1000)
}

# The state a key's acknowledged request left: "free", "held F E",
# "unlocked", "locked E" (E: ms or null).
function after(op, f, e)
{
	if (op == "new" || op == "acq" || op == "ref")
		return "held " f " " ms(e)
	if (op == "rel")
		return "free"
	if (op == "post" || op == "unlock")
		return "unlocked"
	if (op == "lockf")
		return "locked null"
	if (op == "lock")
		return "locked some"
	return "?"
}

# Whether one of the unanswered OPS (a list) could have turned state WANT
# into GOT.
function could(ops, want, got,    o, n, i)
{
	n = split(ops, o, " ")
	for (i = 1; i <= n; i++)
		if (could1(o[i], want, got))
			return 1
	return 0
}

# Whether OP list OPS holds OP.
function has(ops, op)
{
	return index(" " ops " ", " " op " ") > 0
}

function could1(op, want, got,    w, g)
{
	split(want, w, " ")
	split(got, g, " ")
	if (op == "new" || op == "acq")
		return g[1] == "held"
	if (op == "ref")
		return g[1] == "held" && w[1] == "held" && g[2] == w[2]
	if (op == "rel")
		return got == "free"
	if (op == "unlock")
		return got == "unlocked"
	if (op == "lockf")
		return got == "locked null"
	if (op == "lock")
		return got ~ /^locked [0-9]+$/
	return 0
}

function same(want, got,    w, g)
{
	if (want == "locked some")
		return got ~ /^locked [0-9]+$/
	return want == got
}

FILENAME == ARGV[1] {
	if ($1 == "g") {
		n = ++holds[$2]
		hold[$2, n] = $3 " " $4
	} else if ($1 == "l") {
		lss[$2] = ($3 == "true") ? "locked " ($4 == "null" ? "null" : $4) : "unlocked"
	}
	next
}

$1 == "try" {
	pend[$2] = (pend[$2] == "") ? $3 : pend[$2] " " $3
	if ($3 == "post")
		posts++
	next
}

$1 == "ack" && $3 == "refuse" {
	refused++		# the intruder's 423: nothing changed
	delete pend[$2]
	next
}

$1 == "ack" {
	acked++
	if ($3 == "post") {
		posts--
		known[$2] = 1
	}
	state[$2] = after($3, $4, $5)
	delete pend[$2]
	next
}

$1 == "no" {
	if ($4 == "000" || $4 ~ /^5/)
		next		# still pending: it may have taken effect
	if ($3 == "rel")
		state[$2] = "free"	# 404 or 423: this owner holds nothing
	if ($3 == "post")
		posts--
	else
		delete pend[$2]	# nothing of it took effect
	next
}

# One key of a lock that one client alone changes: its state against the
# server's.
function judge_one(k,    want, got, kind)
{
	checked++
	want = (k in state) ? state[k] : "free"
	if (want ~ /^(un)?locked/)
		got = (k in lss) ? lss[k] : "absent"
	else if (holds[k] + 0 == 0)
		got = "free"
	else if (holds[k] > 1)
		got = "held by " holds[k]
	else
		got = "held " hold[k, 1]
	if (same(want, got))
		return
	if ((k in pend) && could(pend[k], want, got)) {
		uncertain++
		return
	}
	kind = (want == "free") ? "phantom" : "lost"
	if (kind == "phantom")
		phantom++
	else
		lost++
	print kind ": " k ": " (k in pend ? "unanswered " pend[k] ", " : "") \
	    "acknowledged " want ", the server shows " got
}

# A lock several owners share (keys ID@OWNER, listed in KEYS): each hold
# an owner was told it has is there (unless its release went unanswered),
# and each other hold belongs to an owner whose acquisition went
# unanswered, one at most each.
function judge_shared(id, keys,    nk, ks, i, j, k, want, found, extra, seen)
{
	nk = split(substr(keys, 2), ks, " ")
	extra = 0
	for (i = 1; i <= nk; i++) {
		k = ks[i]
		checked++
		want = (k in state) ? state[k] : "free"
		if (k in pend && has(pend[k], "acq"))
			extra++
		if (want == "free")
			continue
		found = 0
		for (j = 1; j <= holds[id] + 0; j++)
			if (!(j in seen) && "held " hold[id, j] == want) {
				found = 1
				seen[j] = 1
				break
			}
		if (found)
			continue
		if (k in pend && has(pend[k], "rel")) {
			uncertain++
			continue
		}
		lost++
		print "lost: " k ": acknowledged " want \
		    ", the server shows no such hold of " id
	}
	for (j = 1; j <= holds[id] + 0; j++) {
		if (j in seen)
			continue
		if (extra-- > 0) {
			uncertain++
			continue
		}
		phantom++
		print "phantom: " id ": a hold " hold[id, j] \
		    " that no owner was told of"
	}
}

END {
	for (k in state)
		keys[k] = 1
	for (k in pend)
		if (!has(pend[k], "post"))
			keys[k] = 1
	for (k in keys) {
		if (index(k, "@")) {
			split(k, p, "@")
			shared[p[1]] = shared[p[1]] " " k
		} else
			judge_one(k)
	}
	for (id in shared)
		judge_shared(id, shared[id])
	# Holds and LSS locks the clients never asked about: getlock holds
	# are phantoms (the short-lived locks excepted: their ids match
	# skip), LSS locks too beyond the creations that went unanswered.
	for (k in holds)
		if (!(k in keys) && !(k in shared) && (skip == "" || k !~ skip)) {
			phantom++
			print "phantom: " k ": held, and no client asked for it"
		}
	for (k in lss)
		if (!(k in keys) && posts-- <= 0) {
			phantom++
			print "phantom: " k ": an LSS lock no client was told of"
		}
	printf "powerloss: %d acknowledged, %d checked, %d lost, %d phantom, %d uncertain\n", \
	    acked, checked, lost, phantom, uncertain
}
