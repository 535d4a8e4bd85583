"""traindebug.batch_mixing: a view instead of a transpose is found and localised; clean
models (BatchNorm in train mode, dropout, embeddings with integer inputs, LSTMs) pass."""

from __future__ import annotations


import pytest
import torch
from torch import nn

from traindebug.batch_mixing import BatchMixingError, batch_mixing
from traindebug.probes.gradient_check import batch_size_for, loss_for
from traindebug.probes.base import LossCall

from conftest import assert_example_diagnosed


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Tiny models: intra-op threads only add contention on a shared machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


class SequenceModel(nn.Module):
    """Batch-first data into a sequence-first LSTM, converted by view (bug) or transpose."""

    def __init__(self, bug: bool) -> None:
        super().__init__()
        self.bug = bug
        self.rnn = nn.LSTM(5, 16)
        self.head = nn.Linear(16, 3)

    def forward(self, x):
        n, t, f = x.shape
        seq = x.view(t, n, f) if self.bug else x.transpose(0, 1)
        out, _ = self.rnn(seq)
        return self.head(out[-1])


def test_view_before_sequence_first_rnn_is_found_at_the_rnn_input() -> None:
    torch.manual_seed(0)
    result = batch_mixing(SequenceModel(bug=True), torch.randn(12, 7, 5), batch_size=12)
    assert result.mixed and result.max_ratio > 1e-3
    assert result.first_module == "rnn" and result.side == "input"
    assert len(result.offending) > 1


def test_transpose_before_sequence_first_rnn_is_clean() -> None:
    torch.manual_seed(0)
    result = batch_mixing(SequenceModel(bug=False), torch.randn(12, 7, 5), batch_size=12)
    assert not result.mixed and result.max_ratio == 0.0
    assert all(row[i] == 1.0 for i, row in zip(result.rows, result.matrix))


def test_softmax_over_the_batch_is_found_in_the_parent_forward() -> None:
    class Mixer(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.a, self.b = nn.Linear(4, 4), nn.Linear(4, 2)

        def forward(self, x):
            return self.b(torch.softmax(self.a(x), dim=0))  # dim 0 is the batch

    result = batch_mixing(Mixer(), torch.randn(6, 4))
    assert result.mixed and result.first_module == "b" and result.side == "input"


def test_module_that_mixes_samples_is_named_itself() -> None:
    class BatchSoftmax(nn.Module):
        def forward(self, x):
            return torch.softmax(x, dim=0)

    model = nn.Sequential(nn.Linear(4, 4), BatchSoftmax(), nn.Linear(4, 2))
    result = batch_mixing(model, torch.randn(6, 4))
    assert result.mixed and result.first_module == "1" and result.side == "output"


def test_batchnorm_train_mode_dropout_and_conv_are_not_mixing() -> None:
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Dropout(0.5), nn.Flatten(), nn.Linear(4 * 36, 3)
    ).train()
    result = batch_mixing(model, torch.randn(10, 1, 8, 8))
    assert not result.mixed
    assert all(m.training for m in model.modules())  # the user's modes are untouched


def test_embedding_with_integer_inputs_and_batch_first_gru() -> None:
    class Tagger(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embed = nn.Embedding(40, 8)
            self.rnn = nn.GRU(8, 8, batch_first=True)
            self.head = nn.Linear(8, 2)

        def forward(self, tokens):
            out, _ = self.rnn(self.embed(tokens))
            return self.head(out[:, -1]).softmax(-1)  # outputs sum to 1: random weights avoid cancelling

    torch.manual_seed(0)
    result = batch_mixing(Tagger(), torch.randint(0, 40, (9, 5)), batch_size=9)
    assert not result.mixed
    assert result.sources == ["output of embed"]


def test_sequence_first_integer_inputs_use_dim_1() -> None:
    class SeqFirst(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embed = nn.Embedding(40, 8)
            self.rnn = nn.LSTM(8, 8)
            self.head = nn.Linear(8, 2)

        def forward(self, tokens):  # tokens: (time, batch)
            out, _ = self.rnn(self.embed(tokens))
            return self.head(out[-1])

    torch.manual_seed(0)
    result = batch_mixing(SeqFirst(), torch.randint(0, 40, (5, 9)), batch_size=9)
    assert not result.mixed and len(result.matrix[0]) == 9


def test_user_model_is_untouched_and_bad_input_is_explained() -> None:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 4), nn.BatchNorm1d(4), nn.Linear(4, 2))
    before = {k: v.clone() for k, v in model.state_dict().items()}
    x = torch.randn(6, 4)
    rng = torch.get_rng_state()
    batch_mixing(model, x)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert torch.equal(rng, torch.get_rng_state())
    with pytest.raises(BatchMixingError, match="batch of one"):
        batch_mixing(model, torch.randn(1, 4))
    with pytest.raises(BatchMixingError, match="no dimension of the batch size"):
        batch_mixing(nn.Linear(4, 2), torch.randn(6, 4), batch_size=4)


def test_probe_takes_batch_size_and_loss_from_the_loss_call() -> None:
    output = torch.randn(8, 3, requires_grad=True)
    target = torch.randint(0, 3, (8,))
    call = LossCall("cross_entropy", nn.functional.cross_entropy, output, target, {}, torch.tensor(1.0), True)
    assert batch_size_for(call, output) == 8
    loss, how = loss_for(call, output)
    assert loss is not None and "cross_entropy" in how
    assert torch.allclose(loss(output.double(), torch.float64), nn.functional.cross_entropy(output.double(), target))
    sliced = LossCall("cross_entropy", nn.functional.cross_entropy, output[:4], target[:4], {}, torch.tensor(1.0), True)
    assert loss_for(sliced, output)[0] is None and batch_size_for(sliced, output) is None
    column = torch.randn(8, 1)  # regression output squeezed for the loss: still batch 8
    squeezed = LossCall("mse_loss", nn.functional.mse_loss, column.squeeze(1), torch.randn(8), {}, torch.tensor(1.0), True)
    assert batch_size_for(squeezed, column) == 8


def test_check_finds_the_seeded_example(tmp_path) -> None:
    assert_example_diagnosed(tmp_path, "batch_mixing_rnn_view.py", "batch_mixing", "rnn", "batch_dependency.png")


class SequenceFirstLM(nn.Module):
    """word_language_model style: tokens (time, batch) -> logits (time, batch, vocab)."""

    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(30, 8)
        self.rnn = nn.LSTM(8, 8)
        self.decoder = nn.Linear(8, 30)

    def forward(self, tokens):
        out, _ = self.rnn(self.embed(tokens))
        return self.decoder(out)


def test_sequence_first_language_model_is_clean_with_the_right_batch_size() -> None:
    torch.manual_seed(0)
    result = batch_mixing(SequenceFirstLM(), torch.randint(0, 30, (7, 5)), batch_size=5)
    assert not result.mixed and len(result.matrix[0]) == 5


def test_probe_does_not_take_time_for_the_batch_when_the_loss_flattens_the_output(tmp_path) -> None:
    """Flattened (time * batch) targets give no batch size: both leading dims are checked, and
    the causal dependence along time (dim 0) alone is not mixing."""
    from traindebug.probes.base import Batch, RunContext, Settings, StepContext
    from traindebug.probes.gradient_check import BatchMixingProbe

    torch.manual_seed(0)
    model, tokens = SequenceFirstLM(), torch.randint(0, 30, (7, 5))
    output = model(tokens)
    target = torch.randint(0, 30, (35,))
    flat = output.view(-1, 30)
    loss = nn.functional.cross_entropy(flat, target)
    records: list[dict] = []
    ctx = StepContext(RunContext(out_dir=tmp_path, settings=Settings()), 0, records.append)
    ctx.batch = Batch(model, (tokens,), {}, output)
    ctx.loss_call = LossCall("cross_entropy", nn.functional.cross_entropy, flat, target, {}, loss.detach(), True)
    BatchMixingProbe().before_step(ctx)
    assert records and records[0]["mixed_along"] == [0] and not records[0]["mixed"]
