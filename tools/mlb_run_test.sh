#!/bin/sh
# tools/mlb_run_test.sh - make check: mlb-run end to end on cpu_ref. Generated inputs, .npy
# out and back through NumPy (/usr/bin/python3 with numpy; those parts are skipped with a
# message when it is missing), NumPy-written inputs in, --compare, --time, every conformance
# family of every op reproduced through --family/--seed, and bad files and flags (one error
# line, non-zero exit, never a crash).
set -u
top=${MLB_TOP_BUILDDIR:-$(pwd)}
run=$top/tools/mlb-run
[ -x "$run" ] || { echo "missing $run"; exit 99; }
MLB_PLUGIN_PATH=$top/plugins/cpu_ref/.libs
export MLB_PLUGIN_PATH
[ -f "$MLB_PLUGIN_PATH/mlb_cpu_ref.so" ] || { echo "missing cpu_ref in $MLB_PLUGIN_PATH"; exit 99; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mlb_run_test.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 99

fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }

# expect STATUS DESCRIPTION -- mlb-run ARGS...: the exit status must be STATUS.
expect() {
    want=$1 what=$2
    shift 3
    "$run" "$@" >out.txt 2>err.txt
    rc=$?
    if [ "$rc" -eq "$want" ]; then ok "$what (exit $rc)"; else
        bad "$what: exit $rc, expected $want"
        sed 's/^/    /' out.txt err.txt
    fi
}

# reject DESCRIPTION PATTERN -- ARGS...: exit 2 with exactly one stderr line matching PATTERN.
reject() {
    what=$1 pattern=$2
    shift 3
    "$run" "$@" >out.txt 2>err.txt
    rc=$?
    lines=$(wc -l <err.txt)
    if [ "$rc" -eq 2 ] && [ "$lines" -eq 1 ] && grep -q -- "$pattern" err.txt; then
        ok "$what: $(cat err.txt)"
    else
        bad "$what: exit $rc, $lines stderr line(s), expected exit 2, one line with '$pattern'"
        sed 's/^/    /' err.txt
    fi
}

# ---- generated inputs, --compare, --time ------------------------------------------------------
expect 0 "add from --shape" -- --op add --shape 3x4:4 --seed 7
expect 0 "matmul 4x128x256:256x64 --compare" -- --op matmul --shape 4x128x256:256x64 --seed 7 \
    --compare cpu_ref:0
grep -q "0 mismatches" out.txt || bad "compare figures missing"
expect 0 "matmul bias+gelu epilogue" -- --device cpu_ref:0 --op matmul --shape 8x16:16x4:4 \
    --attr activation=gelu --compare cpu_ref:0
expect 0 "conv2d nhwc, stride, padding" -- --op conv2d --shape 1x9x9x4:6x4x3x3:6 \
    --attr layout=nhwc --attr stride=2 --attr padding=1 --attr activation=relu --compare cpu_ref:0
expect 0 "pool2d avg" -- --op pool2d --shape 2x3x8x8 --attr mode=avg --attr kernel=3 \
    --attr stride=1 --attr padding=1 --compare cpu_ref:0
expect 0 "layer_norm weight+bias" -- --op layer_norm --shape 4x32:32:32 --compare cpu_ref:0
expect 0 "reduce_sum axes" -- --op reduce_sum --dtype i32 --shape 3x4x5 --attr axes=0,2 \
    --attr keepdims=1 --compare cpu_ref:0
expect 0 "gather i32" -- --op gather --shape 50x16:3x7 --index-dtype i32 --compare cpu_ref:0
expect 0 "cast f32->f16" -- --op cast --dtype f32 --out-dtype f16 --shape 9x31 --compare cpu_ref:0
expect 0 "fill" -- --op fill --dtype i8 --shape 5x5 --attr value=300 --compare cpu_ref:0
expect 0 "strided: transposed a, broadcast b, padded out" -- --op matmul --shape 5x7:7x3 \
    --strides T:0x1 --offsets 8: --out-strides 5x1 --out-offset 4 --compare cpu_ref:0
expect 0 "in place" -- --op relu --shape 4x4 --inplace --compare cpu_ref:0
expect 0 "--time 3" -- --op matmul --shape 64x64:64x64 --time 3
if grep -q "min .* ms, median .* ms" out.txt && grep -q "GFLOP/s" out.txt; then
    ok "--time prints min/median and GFLOP/s"
else bad "--time figures missing"; cat out.txt; fi
expect 0 "--time on an elementwise op" -- --op add --shape 1000:1000 --time 3 --warmup 2
grep -q "GB/s" out.txt && ok "--time prints GB/s" || bad "--time GB/s missing"
expect 4 "a declined dtype exits 4" -- --op div --dtype i32 --shape 3:3

# ---- conformance cases: every family of every op (f32; bf16 and i32 for some) -----------------
count=0
for op in neg abs exp log sqrt rsqrt tanh sigmoid relu gelu gelu_tanh silu add sub mul div \
    maximum minimum pow cast copy fill matmul conv2d pool2d softmax log_softmax layer_norm \
    rms_norm reduce_sum reduce_mean reduce_max reduce_min reduce_prod gather; do
    for dt in f32 bf16 i32; do
        case "$dt:$op" in
        f32:*) ;;
        bf16:matmul | bf16:softmax | bf16:add | bf16:cast | bf16:layer_norm) ;;
        i32:add | i32:gather | i32:reduce_sum | i32:cast | i32:neg) ;;
        *) continue ;;
        esac
        for fam in $("$run" --op "$op" --dtype "$dt" --list-families); do
            "$run" --quiet --device cpu_ref:0 --op "$op" --dtype "$dt" --family "$fam" --seed 123 \
                --compare cpu_ref:0 >out.txt 2>err.txt
            rc=$?
            count=$((count + 1))
            if [ "$rc" -ne 0 ]; then
                bad "repro $op $dt $fam: exit $rc"
                sed 's/^/    /' out.txt err.txt
            fi
        done
    done
done
[ "$count" -gt 300 ] && ok "$count conformance cases reproduced with --family/--seed" ||
    bad "only $count conformance cases found"
expect 0 "a --full case" -- --op softmax --dtype f32 --family strided --seed 5 --full \
    --compare cpu_ref:0
"$run" --quiet --op matmul --family transposed --seed 9 --out r1.npy &&
    "$run" --quiet --op matmul --family transposed --seed 9 --out r2.npy && cmp -s r1.npy r2.npy &&
    ok "a case is reproducible byte for byte" || bad "two runs of one case differ"
"$run" --quiet --op matmul --family transposed --seed 10 --out r3.npy
cmp -s r1.npy r3.npy && bad "another seed gave the same case" || ok "the seed changes the case"

# ---- bad flags and bad files --------------------------------------------------------------------
printf 'not numpy\n' >text.npy
printf '\223NUMPY\001\000' >short.npy
reject "unknown option" "unknown option" -- --op add --bogus
reject "missing value" "needs a value" -- --op add --shape
reject "no --op" "--op NAME is required" -- --shape 3
reject "bad op" "not an op name" -- --op addd --shape 3:3
reject "bad dtype" "not a dtype" -- --op add --dtype f33 --shape 3:3
reject "bad shape" "expected extents" -- --op add --shape 3xx4:4
reject "shape mismatch" "do not broadcast" -- --op add --shape 3x4:5
reject "matmul K mismatch" "K of a" -- --op matmul --shape 3x4:5x6
reject "input count" "takes 2 inputs" -- --op add --shape 3
reject "bad attribute" "not an attribute of softmax" -- --op softmax --shape 3x4 --attr foo=1
reject "bad attribute value" "not an integer" -- --op softmax --shape 3x4 --attr axis=x
reject "attribute on an op without" "has no attributes" -- --op relu --shape 3 --attr axis=0
reject "axis out of range" "axis 5" -- --op softmax --shape 3x4 --attr axis=5
reject "bad strides" "strides of input 0" -- --op add --shape 3x4:4 --strides 1:
reject "family with --shape" "cannot be combined" -- --op add --family contiguous --shape 3
reject "unknown family" "not a conformance family" -- --op add --family nope
reject "bad --time" "--time needs" -- --op add --shape 3:3 --time 0
reject "bad --bf16-as" "expected bits or f32" -- --op add --shape 3:3 --bf16-as f16
reject "not a .npy file" "not a .npy file" -- --op relu --in text.npy
reject "truncated .npy" "no version\|cut off" -- --op relu --in short.npy
reject "missing file" "No such file" -- --op relu --in nonexistent.npy
"$run" --op add --shape 3:3 --device nosuch:0 >out.txt 2>err.txt
rc=$?
[ "$rc" -eq 3 ] && [ "$(wc -l <err.txt)" -eq 1 ] && ok "unknown device: $(cat err.txt)" ||
    bad "unknown device: exit $rc"

# ---- NumPy in and out ---------------------------------------------------------------------------
py=/usr/bin/python3
if ! [ -x "$py" ] || ! "$py" -c 'import numpy' 2>/dev/null; then
    echo "SKIP the NumPy checks: /usr/bin/python3 cannot import numpy (apt-get install python3-numpy)"
else
    "$py" - <<'EOF' || bad "writing NumPy inputs"
import numpy as np
rng = np.random.default_rng(1)
np.save("a.npy", rng.integers(-4, 5, (2, 3, 5)).astype(np.float32))
np.save("b.npy", rng.integers(-4, 5, (5, 4)).astype(np.float32))
np.save("bias.npy", rng.integers(-4, 5, (4,)).astype(np.float32))
np.save("h.npy", (np.arange(12, dtype=np.float16) / 4).reshape(3, 4))
np.save("i8.npy", np.array([[100, -128], [127, 5]], dtype=np.int8))
np.save("u8.npy", np.array([1, 2, 255], dtype=np.uint8))
np.save("bool.npy", np.array([True, False, True]))
np.save("i64.npy", np.array([0, 2, -1], dtype=np.int64))
np.save("f64.npy", np.linspace(-1, 1, 7))
np.save("bf.npy", np.array([1.0, 2.5, -3.0], dtype=np.float32))
np.save("bfbits.npy", (np.array([1.0, 2.5, -3.0], np.float32).view(np.uint32) >> 16).astype(np.uint16))
np.save("fortran.npy", np.asfortranarray(np.ones((3, 4), dtype=np.float32)))
np.save("cplx.npy", np.ones(3, dtype=np.complex64))
np.save("big.npy", np.ones(3, dtype=">f4"))
np.save("scalar.npy", np.float32(2.5))
with open("a.npy", "rb") as f:
    data = f.read()
open("cut.npy", "wb").write(data[:-3])
open("long.npy", "wb").write(data + b"\0")
EOF
    check_py() { # check_py DESCRIPTION PYTHON-CODE
        if "$py" -c "import numpy as np; $2" >py.txt 2>&1; then ok "$1"; else
            bad "$1"
            sed 's/^/    /' py.txt
        fi
    }
    expect 0 "matmul + bias from NumPy files" -- --op matmul --in a.npy --in b.npy --in bias.npy \
        --attr activation=relu --out c.npy --compare cpu_ref:0
    check_py "matmul output equals NumPy's" "a=np.load('a.npy');b=np.load('b.npy');c=np.load('c.npy');\
e=np.maximum(a@b+np.load('bias.npy'),0);assert c.dtype==np.float32 and c.shape==(2,3,4),c.shape;\
assert np.array_equal(c,e),(c,e)"
    expect 0 "f16 in and out" -- --op neg --in h.npy --out hn.npy
    check_py "f16 stays float16" "c=np.load('hn.npy');assert c.dtype==np.float16 and \
np.array_equal(c,-np.load('h.npy'))"
    expect 0 "i8 wraps" -- --op add --in i8.npy --in i8.npy --out i8o.npy
    check_py "i8 output" "c=np.load('i8o.npy');assert c.dtype==np.int8 and c.tolist()==[[-56,0],[-2,10]],c"
    expect 0 "u8 cast to bool" -- --op cast --in u8.npy --out-dtype bool --out bo.npy
    check_py "bool output" "c=np.load('bo.npy');assert c.dtype==np.bool_ and c.all()"
    expect 0 "bool copy" -- --op copy --in bool.npy --out bc.npy
    check_py "bool copy output" "assert np.array_equal(np.load('bc.npy'),np.load('bool.npy'))"
    expect 0 "f64 exp" -- --op exp --in f64.npy --out f64o.npy --compare cpu_ref:0
    check_py "f64 output" "c=np.load('f64o.npy');assert c.dtype==np.float64 and \
np.allclose(c,np.exp(np.load('f64.npy')),rtol=1e-15)"
    expect 0 "gather with NumPy i64 indices" -- --op gather --in b.npy --in i64.npy --out g.npy
    check_py "gather output" "c=np.load('g.npy');b=np.load('b.npy');assert np.array_equal(c,b[[0,2,-1]])"
    expect 0 "a rank-0 .npy" -- --op mul --in scalar.npy --in a.npy --out s.npy
    check_py "scalar broadcast" "assert np.array_equal(np.load('s.npy'),2.5*np.load('a.npy'))"
    expect 0 "bf16 from float32 with --bf16-as f32" -- --op neg --dtype bf16 --in bf.npy \
        --bf16-as f32 --out bfo.npy
    check_py "bf16 --bf16-as f32 output" "c=np.load('bfo.npy');assert c.dtype==np.float32 and \
c.tolist()==[-1.0,-2.5,3.0],c"
    expect 0 "bf16 as bit patterns in and out" -- --op neg --in bfbits.npy --out bfb.npy
    check_py "bf16 bits output" "c=np.load('bfb.npy');assert c.dtype==np.uint16;\
f=(c.astype(np.uint32)<<16).view(np.float32);assert f.tolist()==[-1.0,-2.5,3.0],f"
    expect 0 "bf16 bits in" -- --op abs --in bfb.npy --out bfa.npy --bf16-as f32
    check_py "bf16 bits in, f32 out" "assert np.load('bfa.npy').tolist()==[1.0,2.5,3.0]"
    expect 0 "--save-inputs of a conformance case" -- --op matmul --family strided_out --seed 3 \
        --save-inputs in --out mo.npy
    check_py "the saved case recomputes in NumPy" "a=np.load('in0.npy');b=np.load('in1.npy');\
assert np.array_equal(a@b,np.load('mo.npy'))"
    expect 0 "--out-ref" -- --op softmax --shape 3x9 --compare cpu_ref:0 --out sm.npy --out-ref smr.npy
    check_py "softmax rows sum to 1" "c=np.load('sm.npy');assert np.allclose(c.sum(1),1,atol=1e-6);\
assert np.array_equal(c,np.load('smr.npy'))"
    reject "wrong dtype file" "holds f16" -- --op add --in a.npy --in h.npy
    reject "bf16 needs bits or --bf16-as f32" "uint16 bit patterns" -- --op neg --dtype bf16 --in bf.npy
    reject "Fortran order" "Fortran-order" -- --op relu --in fortran.npy
    reject "complex dtype" "unsupported dtype '<c8'" -- --op relu --in cplx.npy
    reject "big-endian" "big-endian" -- --op relu --in big.npy
    reject "truncated data" "truncated .npy file" -- --op relu --in cut.npy
    reject "trailing bytes" "trailing bytes" -- --op relu --in long.npy
    reject "shape mismatch with the op" "K of a (4) != K of b (3)" -- --op matmul --in b.npy --in a.npy
    reject "bias shape" "bias has shape" -- --op matmul --in a.npy --in b.npy --in b.npy
fi

echo "mlb_run_test: $fails failure(s)"
[ "$fails" -eq 0 ]
