"""The four networks of MEDA_LUDE (Fig. 1), sized from the input shape.

Images get strided convolutions that halve the side until it is at most 4,
so the same code serves 8x8 digits, 28x28 MNIST, 32x32 CIFAR and 224x224
fabric photos; the decoder mirrors the encoder exactly (transposed
convolutions with the output padding that restores each intermediate size).
Tabular data gets small MLPs.
"""

from __future__ import annotations

from torch import nn


def _down_sizes(side):
    """Sides after each stride-2, padding-1, kernel-3 convolution."""
    sizes = [side]
    while sizes[-1] > 4:
        sizes.append((sizes[-1] + 1) // 2)
    return sizes


def _channels(n_layers, base, cap=256):
    return [min(base * 2**i, cap) for i in range(n_layers)]


def _conv_trunk(image_shape, base_channels, batch_norm=False):
    """Strided conv layers; returns (module, output shape, sizes)."""
    c, h, w = image_shape
    hs, ws = _down_sizes(h), _down_sizes(w)
    n = max(len(hs) - 1, len(ws) - 1, 1)
    # The shorter side stops halving (stride 1) while the other goes on.
    hs = hs + [hs[-1]] * (n + 1 - len(hs))
    ws = ws + [ws[-1]] * (n + 1 - len(ws))
    chans = _channels(n, base_channels)
    layers, prev = [], c
    for i, ch in enumerate(chans):
        stride = (2 if hs[i + 1] < hs[i] else 1, 2 if ws[i + 1] < ws[i] else 1)
        layers.append(nn.Conv2d(prev, ch, 3, stride=stride, padding=1))
        if batch_norm:
            layers.append(nn.BatchNorm2d(ch))
        layers.append(nn.LeakyReLU(0.2))
        prev = ch
    return nn.Sequential(*layers), (prev, hs[-1], ws[-1]), (hs, ws, chans)


class ConvEncoder(nn.Module):
    """E: image -> feat in R^h."""

    def __init__(self, image_shape, latent_dim, base_channels=32, batch_norm=False):
        super().__init__()
        self.trunk, out, _ = _conv_trunk(image_shape, base_channels, batch_norm)
        flat = out[0] * out[1] * out[2]
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(flat, latent_dim))

    def forward(self, x):
        return self.head(self.trunk(x))


class ConvDecoder(nn.Module):
    """G: R^h -> image in [0, 1] (sigmoid output)."""

    def __init__(self, image_shape, latent_dim, base_channels=32, batch_norm=False):
        super().__init__()
        c = image_shape[0]
        _, out, (hs, ws, chans) = _conv_trunk(image_shape, base_channels)
        self.start = out
        self.fc = nn.Sequential(
            nn.Linear(latent_dim, out[0] * out[1] * out[2]), nn.LeakyReLU(0.2)
        )
        layers = []
        n = len(chans)
        for i in reversed(range(n)):
            in_ch = chans[i]
            out_ch = chans[i - 1] if i > 0 else c
            h_in, h_out, w_in, w_out = hs[i + 1], hs[i], ws[i + 1], ws[i]
            stride = (2 if h_out > h_in else 1, 2 if w_out > w_in else 1)
            pad_h = h_out - ((h_in - 1) * stride[0] - 2 + 3)
            pad_w = w_out - ((w_in - 1) * stride[1] - 2 + 3)
            layers.append(
                nn.ConvTranspose2d(
                    in_ch, out_ch, 3, stride=stride, padding=1,
                    output_padding=(pad_h, pad_w),
                )
            )
            if i > 0:
                if batch_norm:
                    layers.append(nn.BatchNorm2d(out_ch))
                layers.append(nn.LeakyReLU(0.2))
            else:
                layers.append(nn.Sigmoid())
        self.deconv = nn.Sequential(*layers)

    def forward(self, f):
        x = self.fc(f).view(-1, *self.start)
        return self.deconv(x)


class ConvImageClassifier(nn.Module):
    """C_img: image -> K logits."""

    def __init__(self, image_shape, n_classes, base_channels=32):
        super().__init__()
        self.trunk, out, _ = _conv_trunk(image_shape, base_channels)
        flat = out[0] * out[1] * out[2]
        self.head = nn.Sequential(
            nn.Flatten(), nn.Linear(flat, 128), nn.LeakyReLU(0.2), nn.Linear(128, n_classes)
        )

    def forward(self, x):
        return self.head(self.trunk(x))


def mlp(sizes, last=None):
    """Linear layers with LeakyReLU between them, and ``last`` at the end."""
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.LeakyReLU(0.2))
    if last is not None:
        layers.append(last)
    return nn.Sequential(*layers)


def build_networks(image_shape, n_features, n_classes, latent_dim, base_channels=32,
                   hidden=128, batch_norm=False):
    """Return ``(encoder, decoder, latent_classifier, image_classifier)``.

    ``image_shape`` ``(C, H, W)`` gives convolutional networks; ``None`` gives
    MLPs over ``n_features`` standardised features (the decoder then ends
    without a squashing function).
    """
    if image_shape is not None:
        encoder = ConvEncoder(image_shape, latent_dim, base_channels, batch_norm)
        decoder = ConvDecoder(image_shape, latent_dim, base_channels, batch_norm)
        image_clf = ConvImageClassifier(image_shape, n_classes, base_channels)
    else:
        encoder = mlp([n_features, hidden, hidden, latent_dim])
        decoder = mlp([latent_dim, hidden, hidden, n_features])
        image_clf = mlp([n_features, hidden, n_classes])
    latent_clf = mlp([latent_dim, hidden, n_classes])
    return encoder, decoder, latent_clf, image_clf
