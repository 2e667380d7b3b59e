"""Bounded loops: unrolled to --unroll N, verdicts labelled `bounded`
unless no execution reaches the bound."""
from veriopt.translation.ir_smt.unroll import unroll
from veriopt.verify import verdict as V
from veriopt.verify.api import verify_ir
from veriopt.verify.refinement import VerifyOptions

from helpers import COUNT_TO_N, UMAX_1, function


def opts(n):
    return VerifyOptions(src_unroll=n, tgt_unroll=n)


def test_state_graph_is_acyclic_and_counts_iterations():
    fn = function(COUNT_TO_N.format(name="f"), "f")
    graph = unroll(fn, 3)
    labels = [s.label for s in graph.order]
    assert labels[0] == "entry"
    assert labels.count("exit") == 1
    assert sum(1 for s in graph.order if s.block == "loop") == 4   # iterations 0..3
    assert graph.has_loops and graph.cut                            # the 4th back edge is cut


def test_loop_against_closed_form_is_correct_within_the_bound():
    # the loop returns max(n, 1) for n <= 4 iterations
    text = COUNT_TO_N.format(name="src") + UMAX_1.format(name="tgt")
    v = verify_ir(text, options=opts(4))
    assert (v.status, v.bound, v.exit_code) == (V.Status.BOUNDED, 4, 4)
    assert v.render().startswith("Transformation is correct up to 4 loop iterations (bounded")
    assert "seems to be correct" not in v.render()


def test_wrong_closed_form_is_refuted_inside_the_bound():
    wrong = "define i8 @tgt(i8 %n) {\n  ret i8 %n\n}\n"
    v = verify_ir(COUNT_TO_N.format(name="src") + wrong, options=opts(4))
    assert v.status is V.Status.INCORRECT and v.error == V.ERR_VALUE
    assert v.counterexample.inputs[0][1].startswith("#x00")   # n = 0 returns 1


def test_without_a_bound_loops_are_deepened_and_stay_bounded():
    # n may be up to 255: no automatic bound covers every execution
    text = COUNT_TO_N.format(name="src") + UMAX_1.format(name="tgt")
    v = verify_ir(text)
    assert (v.status, v.bound) == (V.Status.BOUNDED, 64), v.render()
    assert "seems to be correct" not in v.render() and v.exit_code == 4


def test_deepening_finds_a_difference_after_forty_iterations():
    wrong = ("define i8 @tgt(i8 %n) {\n  %r = call i8 @llvm.umax.i8(i8 %n, i8 1)\n"
             "  %big = icmp ugt i8 %n, 40\n  %s = select i1 %big, i8 0, i8 %r\n  ret i8 %s\n}\n")
    v = verify_ir(COUNT_TO_N.format(name="src") + wrong)
    assert (v.status, v.error) == (V.Status.INCORRECT, V.ERR_VALUE), v.render()
    n = int(v.counterexample.inputs[0][1].split()[1].strip("(),"))
    assert n > 40


def test_a_constant_trip_count_within_the_deepening_is_proved():
    src = COUNT_TO_N.format(name="src").replace("%c = icmp ult i8 %next, %n",
                                                "%c = icmp ult i8 %next, 12")
    tgt = "define i8 @tgt(i8 %n) {\n  ret i8 12\n}\n"
    v = verify_ir(src + tgt)
    assert v.status is V.Status.CORRECT, v.render()


def test_acyclic_functions_are_proved_outright():
    text = UMAX_1.format(name="src") + UMAX_1.format(name="tgt")
    v = verify_ir(text, options=opts(4))
    assert (v.status, v.bound) == (V.Status.CORRECT, None)
