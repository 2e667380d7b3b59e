"""Per-opcode semantics with hand-computed values, poison and UB cases."""
import pytest
from veriopt.errors import Unsupported
from veriopt.translation.ir_smt.evaluate import POISON, evaluate

from helpers import function, run_op


def value(body, args, **kw):
    out = run_op(body, args, **kw)
    assert not out.ub, f"unexpected UB for {body} {args}"
    return out.value[0]


@pytest.mark.parametrize("body,args,expected", [
    ("add i8 %a, %b", [200, 100], 44),
    ("add nuw i8 %a, %b", [200, 100], POISON),
    ("add nuw i8 %a, %b", [200, 55], 255),
    ("add nsw i8 %a, %b", [127, 1], POISON),
    ("add nsw i8 %a, %b", [127, 255], 126),          # 127 + (-1)
    ("sub nuw i8 %a, %b", [3, 5], POISON),
    ("sub nsw i8 %a, %b", [0x80, 1], POISON),          # -128 - 1
    ("sub nsw i8 %a, %b", [0, 0x80], POISON),          # 0 - (-128)
    ("sub nsw i8 %a, %b", [0xff, 0x80], 127),          # -1 - (-128)
    ("mul i8 %a, %b", [16, 17], 16),
    ("mul nuw i8 %a, %b", [16, 16], POISON),
    ("mul nsw i8 %a, %b", [0xff, 0x80], POISON),       # -1 * -128
    ("mul nsw i8 %a, %b", [0xf0, 8], 0x80),            # -16 * 8 = -128
    ("udiv i8 %a, %b", [200, 7], 28),
    ("udiv exact i8 %a, %b", [41, 8], POISON),
    ("sdiv i8 %a, %b", [0xf9, 2], 0xfd),               # -7 / 2 = -3
    ("srem i8 %a, %b", [0xf9, 2], 0xff),               # -7 % 2 = -1
    ("urem i8 %a, %b", [0xf9, 2], 1),
    ("shl i8 %a, %b", [3, 7], 0x80),
    ("shl i8 %a, %b", [3, 8], POISON),
    ("shl nuw i8 %a, %b", [3, 7], POISON),
    ("shl nsw i8 %a, %b", [1, 7], POISON),
    ("shl nsw i8 %a, %b", [0xff, 7], 0x80),            # -1 << 7 = -128
    ("lshr i8 %a, %b", [0x80, 7], 1),
    ("lshr exact i8 %a, %b", [41, 3], POISON),
    ("lshr exact i8 %a, %b", [40, 3], 5),
    ("ashr i8 %a, %b", [0x80, 7], 0xff),
    ("ashr i8 %a, %b", [0x80, 9], POISON),
    ("ashr exact i8 %a, %b", [0x81, 1], POISON),
    ("or disjoint i8 %a, %b", [1, 3], POISON),
    ("or disjoint i8 %a, %b", [1, 2], 3),
    ("xor i8 %a, %b", [0xf0, 0xff], 0x0f),
    ("and i8 %a, %b", [0xf0, 0x3c], 0x30),
])
def test_binary_ops(body, args, expected):
    assert value(body, args) == expected


@pytest.mark.parametrize("body,args", [
    ("udiv i8 %a, %b", [1, 0]), ("urem i8 %a, %b", [1, 0]),
    ("sdiv i8 %a, %b", [0x80, 0xff]), ("srem i8 %a, %b", [0x80, 0xff]),
    ("sdiv i8 %a, %b", [POISON, 0xff]),        # a poison dividend may be INT_MIN
    ("udiv i8 %a, %b", [5, POISON]),           # a poison divisor may be zero
])
def test_division_ub(body, args):
    assert run_op(body, args).ub


def test_poison_propagates_but_is_not_ub():
    out = run_op("add i8 %a, %b", [POISON, 1])
    assert not out.ub and out.value == [POISON]
    assert not run_op("udiv i8 %a, %b", [POISON, 3]).ub


@pytest.mark.parametrize("pred,a,b,expected", [
    ("eq", 5, 5, 1), ("ne", 5, 5, 0), ("ugt", 0xff, 1, 1), ("sgt", 0xff, 1, 0),
    ("uge", 1, 1, 1), ("ult", 0xff, 1, 0), ("slt", 0xff, 1, 1), ("ule", 2, 1, 0),
    ("sle", 0x80, 0x7f, 1), ("sge", 0x80, 0x7f, 0),
])
def test_icmp(pred, a, b, expected):
    assert value(f"icmp {pred} i8 %a, %b", [a, b], ret="i1") == expected


def test_icmp_samesign_is_poison_on_different_signs():
    assert value("icmp samesign ult i8 %a, %b", [0xff, 1], ret="i1") is POISON
    assert value("icmp samesign ult i8 %a, %b", [1, 2], ret="i1") == 1


@pytest.mark.parametrize("body,args,ret,expected", [
    ("trunc i8 %a to i4", [0x1f], "i4", 0xf),
    ("trunc nuw i8 %a to i4", [0x1f], "i4", POISON),
    ("trunc nsw i8 %a to i4", [0xf8], "i4", 0x8),      # -8 fits in i4
    ("trunc nsw i8 %a to i4", [0x08], "i4", POISON),   # 8 does not
    ("zext i8 %a to i16", [0x80], "i16", 0x80),
    ("zext nneg i8 %a to i16", [0x80], "i16", POISON),
    ("sext i8 %a to i16", [0x80], "i16", 0xff80),
])
def test_casts(body, args, ret, expected):
    assert value(body, args, ret=ret, params="i8 %a") == expected


def test_select_ignores_poison_in_the_arm_not_taken():
    fn = function("define i8 @f(i1 %c, i8 %a, i8 %b) {\n %r = select i1 %c, i8 %a, i8 %b\n"
                  " ret i8 %r\n}\n")
    assert evaluate(fn, [1, 7, POISON]).value == [7]
    assert evaluate(fn, [0, 7, POISON]).value == [POISON]
    assert evaluate(fn, [POISON, 7, 7]).value == [POISON]


def test_freeze_turns_poison_into_a_value():
    out = run_op("freeze i8 %a", [POISON], params="i8 %a")
    assert out.value == [0] and not out.deterministic
    assert run_op("freeze i8 %a", [9], params="i8 %a").value == [9]


@pytest.mark.parametrize("call,args,expected", [
    ("call i8 @llvm.umin.i8(i8 %a, i8 %b)", [0xff, 3], 3),
    ("call i8 @llvm.smin.i8(i8 %a, i8 %b)", [0xff, 3], 0xff),
    ("call i8 @llvm.umax.i8(i8 %a, i8 %b)", [0xff, 3], 0xff),
    ("call i8 @llvm.smax.i8(i8 %a, i8 %b)", [0xff, 3], 3),
    ("call i8 @llvm.uadd.sat.i8(i8 %a, i8 %b)", [200, 100], 255),
    ("call i8 @llvm.sadd.sat.i8(i8 %a, i8 %b)", [100, 100], 127),
    ("call i8 @llvm.sadd.sat.i8(i8 %a, i8 %b)", [0x9c, 0x9c], 0x80),   # -100 + -100
    ("call i8 @llvm.usub.sat.i8(i8 %a, i8 %b)", [3, 5], 0),
    ("call i8 @llvm.ssub.sat.i8(i8 %a, i8 %b)", [0x80, 1], 0x80),
    ("call i8 @llvm.ssub.sat.i8(i8 %a, i8 %b)", [100, 0x9c], 127),
    ("call i8 @llvm.fshl.i8(i8 %a, i8 %b, i8 3)", [0x81, 0xf0], 0x0f),
    ("call i8 @llvm.fshr.i8(i8 %a, i8 %b, i8 3)", [0x81, 0xf0], 0x3e),
    ("call i8 @llvm.fshl.i8(i8 %a, i8 %b, i8 11)", [0x81, 0xf0], 0x0f),  # amount mod 8
    ("call i8 @llvm.ushl.sat.i8(i8 %a, i8 %b)", [0x40, 2], 0xff),
    ("call i8 @llvm.sshl.sat.i8(i8 %a, i8 %b)", [0x40, 1], 0x7f),
    ("call i8 @llvm.sshl.sat.i8(i8 %a, i8 %b)", [0xc0, 1], 0x80),
    ("call i8 @llvm.ushl.sat.i8(i8 %a, i8 %b)", [1, 8], POISON),
    ("call i8 @llvm.scmp.i8.i8(i8 %a, i8 %b)", [0xff, 1], 0xff),
    ("call i8 @llvm.ucmp.i8.i8(i8 %a, i8 %b)", [0xff, 1], 1),
    ("call i8 @llvm.ucmp.i8.i8(i8 %a, i8 %b)", [4, 4], 0),
])
def test_binary_intrinsics(call, args, expected):
    assert value(call, args) == expected


@pytest.mark.parametrize("call,arg,expected", [
    ("call i8 @llvm.abs.i8(i8 %a, i1 false)", 0x80, 0x80),
    ("call i8 @llvm.abs.i8(i8 %a, i1 true)", 0x80, POISON),
    ("call i8 @llvm.abs.i8(i8 %a, i1 true)", 0xfb, 5),
    ("call i8 @llvm.ctpop.i8(i8 %a)", 0xb5, 5),
    ("call i8 @llvm.ctlz.i8(i8 %a, i1 false)", 0x10, 3),
    ("call i8 @llvm.ctlz.i8(i8 %a, i1 false)", 0, 8),
    ("call i8 @llvm.ctlz.i8(i8 %a, i1 true)", 0, POISON),
    ("call i8 @llvm.cttz.i8(i8 %a, i1 false)", 0x10, 4),
    ("call i8 @llvm.cttz.i8(i8 %a, i1 true)", 0, POISON),
    ("call i8 @llvm.bitreverse.i8(i8 %a)", 0x01, 0x80),
    ("call i8 @llvm.bitreverse.i8(i8 %a)", 0xc4, 0x23),
])
def test_unary_intrinsics(call, arg, expected):
    assert value(call, [arg], params="i8 %a") == expected


def test_bswap():
    assert value("call i16 @llvm.bswap.i16(i16 %a)", [0x1234], ret="i16", params="i16 %a") == 0x3412


def test_with_overflow_returns_value_and_flag():
    fn = function("define i1 @f(i8 %a, i8 %b) {\n"
                  " %s = call { i8, i1 } @llvm.sadd.with.overflow.i8(i8 %a, i8 %b)\n"
                  " %o = extractvalue { i8, i1 } %s, 1\n ret i1 %o\n}\n")
    assert evaluate(fn, [127, 1]).value == [1]
    assert evaluate(fn, [126, 1]).value == [0]
    fn = function("define i1 @f(i8 %a, i8 %b) {\n"
                  " %s = call { i8, i1 } @llvm.umul.with.overflow.i8(i8 %a, i8 %b)\n"
                  " %o = extractvalue { i8, i1 } %s, 1\n ret i1 %o\n}\n")
    assert evaluate(fn, [16, 16]).value == [1]
    assert evaluate(fn, [15, 17]).value == [0]


def test_vectors_have_per_lane_poison():
    fn = function("define <2 x i8> @f(<2 x i8> %a) {\n"
                  " %r = add nsw <2 x i8> %a, <i8 1, i8 1>\n ret <2 x i8> %r\n}\n")
    assert evaluate(fn, [[127, 5]]).value == [POISON, 6]


def test_extract_insert_shuffle():
    fn = function("define <4 x i8> @f(<2 x i8> %a, i8 %x) {\n"
                  " %i = insertelement <2 x i8> %a, i8 %x, i32 1\n"
                  " %s = shufflevector <2 x i8> %i, <2 x i8> %a, <4 x i32> <i32 1, i32 2, i32 poison, i32 0>\n"
                  " ret <4 x i8> %s\n}\n")
    assert evaluate(fn, [[10, 20], 99]).value == [99, 10, POISON, 10]
    fn = function("define i8 @f(<2 x i8> %a, i32 %i) {\n"
                  " %e = extractelement <2 x i8> %a, i32 %i\n ret i8 %e\n}\n")
    assert evaluate(fn, [[10, 20], 1]).value == [20]
    assert evaluate(fn, [[10, 20], 2]).value == [POISON]   # out of range


def test_bitcast_respects_endianness():
    le = function("define <2 x i8> @f(i16 %a) {\n %r = bitcast i16 %a to <2 x i8>\n"
                  " ret <2 x i8> %r\n}\n")
    assert evaluate(le, [0x1234]).value == [0x34, 0x12]
    assert evaluate(le, [0x1234], little_endian=False).value == [0x12, 0x34]


def test_reductions():
    for op, expected in (("add", 6), ("and", 0), ("or", 3), ("xor", 0), ("umax", 3), ("smin", 1)):
        fn = function(f"define i8 @f(<3 x i8> %a) {{\n"
                      f" %r = call i8 @llvm.vector.reduce.{op}.v3i8(<3 x i8> %a)\n ret i8 %r\n}}\n")
        assert evaluate(fn, [[1, 2, 3]]).value == [expected], op


def test_branch_on_poison_is_ub_and_phi_follows_the_path():
    fn = function("define i8 @f(i1 %c, i8 %a) {\nentry:\n br i1 %c, label %t, label %e\n"
                  "t:\n br label %e\ne:\n %r = phi i8 [ %a, %t ], [ 7, %entry ]\n ret i8 %r\n}\n")
    assert evaluate(fn, [1, 42]).value == [42]
    assert evaluate(fn, [0, 42]).value == [7]
    assert evaluate(fn, [POISON, 42]).ub


def test_switch_and_unreachable():
    fn = function("define i8 @f(i8 %x) {\n switch i8 %x, label %d [\n i8 1, label %one\n"
                  " i8 2, label %u\n ]\nd:\n ret i8 0\none:\n ret i8 10\nu:\n unreachable\n}\n")
    assert evaluate(fn, [1]).value == [10]
    assert evaluate(fn, [5]).value == [0]
    assert evaluate(fn, [2]).ub


def test_assume_false_is_ub():
    fn = function("define i8 @f(i8 %x) {\n %c = icmp ult i8 %x, 10\n"
                  " call void @llvm.assume(i1 %c)\n ret i8 %x\n}\n")
    assert not evaluate(fn, [3]).ub
    assert evaluate(fn, [30]).ub


def test_noundef_and_range_attributes():
    fn = function("define i8 @f(i8 noundef %x) {\n ret i8 %x\n}\n")
    assert evaluate(fn, [POISON]).ub
    fn = function("define i8 @f(i8 range(i8 0, 10) %x) {\n ret i8 %x\n}\n")
    assert evaluate(fn, [12]).value == [POISON]
    assert evaluate(fn, [9]).value == [9]
    fn = function("define noundef i8 @f(i8 %x) {\n ret i8 %x\n}\n")
    assert evaluate(fn, [POISON]).ub


def test_loops_and_memory_are_unsupported():
    loop = function("define i8 @f(i8 %x) {\nentry:\n br label %l\nl:\n"
                    " %i = phi i8 [ 0, %entry ], [ %n, %l ]\n %n = add i8 %i, 1\n"
                    " %c = icmp ult i8 %n, %x\n br i1 %c, label %l, label %e\ne:\n ret i8 %n\n}\n")
    with pytest.raises(Unsupported, match="loops"):
        evaluate(loop, [3])
    mem = function("define i8 @f(ptr %p) {\n %v = load i8, ptr %p\n ret i8 %v\n}\n")
    with pytest.raises(Unsupported, match="pointers"):
        evaluate(mem, [0])


def test_subvector_intrinsics():
    fn = function("define <2 x i8> @f(<4 x i8> %a, <4 x i8> %b) {\n"
                  " %s = call <4 x i8> @llvm.vector.splice.v4i8(<4 x i8> %a, <4 x i8> %b, i32 -1)\n"
                  " %e = call <2 x i8> @llvm.vector.extract.v2i8.v4i8(<4 x i8> %s, i64 2)\n"
                  " ret <2 x i8> %e\n}\n")
    # splice by -1: <a3, b0, b1, b2>; extract at 2: <b1, b2>
    assert evaluate(fn, [[1, 2, 3, 4], [5, 6, 7, 8]]).value == [6, 7]
    fn = function("define <4 x i8> @f(<4 x i8> %a, <2 x i8> %b) {\n"
                  " %r = call <4 x i8> @llvm.vector.insert.v4i8.v2i8(<4 x i8> %a, <2 x i8> %b, i64 2)\n"
                  " ret <4 x i8> %r\n}\n")
    assert evaluate(fn, [[1, 2, 3, 4], [9, POISON]]).value == [1, 2, 9, POISON]
    fn = function("define <4 x i8> @f() {\n %r = call <4 x i8> @llvm.stepvector.v4i8()\n"
                  " ret <4 x i8> %r\n}\n")
    assert evaluate(fn, []).value == [0, 1, 2, 3]


def test_intrinsic_lookup_strips_only_type_manglings():
    from veriopt.translation.ir_smt.registry import lookup_intrinsic
    assert lookup_intrinsic("llvm.umin.v4i16") is lookup_intrinsic("llvm.umin.i8")
    assert lookup_intrinsic("llvm.sadd.with.overflow.i32") is not None
    assert lookup_intrinsic("llvm.umin.something") is None
    assert lookup_intrinsic("llvm.vector.splice.right.v4i8") is not None
    assert lookup_intrinsic("llvm.vector.reduce.fadd.v4f32") is None
