"""
Character-level CNN language identification: 6 synthetic "languages" (character bigram models
over 27 symbols), 300 snippets of 40 characters each; Embedding(28, 32, padding_idx=0) ->
2 x Conv1d(k=3) + ReLU -> max-pool over time -> Linear. Adam lr 2e-3, batch 64, 7 epochs
(161 steps), manual slicing loop, 20% random validation hold-out.

Seeded bug: the corpus is generated language by language, and the hold-out is chosen with a
random boolean mask; X[~val_mask] keeps the original (language-sorted) order, and the training
loop slices batches sequentially without a permutation. Each batch contains one language (two
at the boundaries), so every stretch of updates pulls the classifier towards the current
language and the model keeps forgetting. Realistic: picking the validation rows at random
makes it feel as if the data had been shuffled.

Measured (seed 0, 1 thread): buggy final train loss 1.756, val loss 1.699, val accuracy 0.436;
fixed copy (torch.randperm of the training rows every epoch) train loss 0.242, val loss 0.558,
val accuracy 0.803.
"""
# traindebug-expect: unshuffled_data
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

ALPHABET = 27          # a-z + space
N_LANG = 6
PER_LANG = 300
SEQ_LEN = 40
BATCH = 64
EPOCHS = 7


def make_language(rng):
    """Each synthetic 'language' is a character bigram model with its own preferred transitions."""
    logits = rng.normal(0, 0.5, (ALPHABET, ALPHABET))
    logits[:, rng.choice(ALPHABET, 6, replace=False)] += 0.8
    probs = np.exp(logits)
    return probs / probs.sum(1, keepdims=True)


def sample_text(trans, n, rng):
    out = np.empty((n, SEQ_LEN), dtype=np.int64)
    state = rng.integers(0, ALPHABET, n)
    for t in range(SEQ_LEN):
        out[:, t] = state
        cum = trans[state].cumsum(1)
        state = (rng.random((n, 1)) < cum).argmax(1)
    return out


languages = [make_language(rng) for _ in range(N_LANG)]
texts, labels = [], []
for lang_id, trans in enumerate(languages):
    texts.append(sample_text(trans, PER_LANG, rng))
    labels.append(np.full(PER_LANG, lang_id))
X = np.concatenate(texts) + 1          # 0 is reserved for padding
y = np.concatenate(labels)

# hold out 20% of the snippets at random
val_mask = np.zeros(len(X), dtype=bool)
val_mask[rng.choice(len(X), size=len(X) // 5, replace=False)] = True
X_train, y_train = torch.from_numpy(X[~val_mask]), torch.from_numpy(y[~val_mask])
X_val, y_val = torch.from_numpy(X[val_mask]), torch.from_numpy(y[val_mask])
print(f"train {len(X_train)}  val {len(X_val)}")


class CharCNN(nn.Module):
    def __init__(self, vocab=ALPHABET + 1, emb=32, channels=64, n_classes=N_LANG):
        super().__init__()
        self.emb = nn.Embedding(vocab, emb, padding_idx=0)
        self.conv1 = nn.Conv1d(emb, channels, kernel_size=3, padding=1)
        self.conv2 = nn.Conv1d(channels, channels, kernel_size=3, padding=1)
        self.fc = nn.Linear(channels, n_classes)

    def forward(self, tokens):
        h = self.emb(tokens).transpose(1, 2)           # (B, emb, T)
        h = F.relu(self.conv1(h))
        h = F.relu(self.conv2(h))
        return self.fc(h.max(dim=2).values)


model = CharCNN()
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)

step = 0
for epoch in range(1, EPOCHS + 1):
    model.train()
    total, seen = 0.0, 0
    for start in range(0, len(X_train), BATCH):
        xb, yb = X_train[start:start + BATCH], y_train[start:start + BATCH]
        loss = F.cross_entropy(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
        seen += len(xb)
        step += 1
    model.eval()
    with torch.no_grad():
        val_logits = model(X_val)
        val_loss = F.cross_entropy(val_logits, y_val).item()
        val_acc = (val_logits.argmax(1) == y_val).float().mean().item()
    print(f"epoch {epoch} step {step}: train loss {total / seen:.4f}  "
          f"val loss {val_loss:.4f}  val acc {val_acc:.3f}")

print(f"final validation accuracy: {val_acc:.3f}")
