"""clean: a convolutional autoencoder on digits (8x8 images), MSE
reconstruction loss, Adam; the loss falls steadily."""
# traindebug-expect: clean
import torch
from sklearn.datasets import load_digits
from torch import nn


class ConvAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 8, 3, padding=1), nn.ReLU(),
        )
        self.decoder = nn.Sequential(
            nn.ConvTranspose2d(8, 16, 2, stride=2), nn.ReLU(),
            nn.Conv2d(16, 1, 3, padding=1), nn.Sigmoid(),
        )

    def forward(self, x):
        return self.decoder(self.encoder(x))


torch.manual_seed(0)
X, _ = load_digits(return_X_y=True)
X = torch.tensor(X / 16.0, dtype=torch.float32).view(-1, 1, 8, 8)
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X), batch_size=32, shuffle=True)
model = ConvAE()
opt = torch.optim.Adam(model.parameters(), lr=2e-3)
for epoch in range(6):
    for (xb,) in loader:
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(xb), xb)
        loss.backward()
        opt.step()
    print(epoch, loss.item())
