# Elegy: build, install into your home directory, uninstall, test.
#   make install                     release build, then install under ~/.local and ~/.config/systemd/user
#   make install PREFIX=/opt/elegy   elsewhere (the installed units then name $(PREFIX)/bin explicitly)
#   make uninstall                   remove exactly what install wrote (share/elegy/install-manifest)

PREFIX ?= $(HOME)/.local
BINDIR ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share
UNITDIR ?= $(HOME)/.config/systemd/user
SWIFT ?= swift
SWIFT_BUILD_FLAGS ?=

export PREFIX BINDIR DATADIR UNITDIR

.PHONY: all build install uninstall test

all: build

build:
	$(SWIFT) build -c release $(SWIFT_BUILD_FLAGS)

install: build
	BUILD_BIN="$$($(SWIFT) build -c release $(SWIFT_BUILD_FLAGS) --show-bin-path)" scripts/install.sh install

uninstall:
	scripts/install.sh uninstall

test:
	scripts/test.sh
