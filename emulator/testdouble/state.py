"""Everything a request may touch, held by the app as ``app.state.emulator``.

The same object is the Python face of the control plane: ``emulator.clock.freeze()``,
``emulator.faults.add(...)``, ``emulator.journal.entries(...)``, ``emulator.reset()``.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import os
import re
import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.requests import Request

from ..contract import added_models, eras, errors
from ..contract.added_models import AddedModel
from ..contract.dates import TODAY, AsOf
from ..contract.specs import Catalog, Deprecation
from ..contract.text_models import TEXT_MODELS, TextModel
from .clock import Clock
from .data_dir import DataDir
from .durable import attach
from .faults import Fault, Faults
from .journal import Entry, Journal, JournalImages
from .rate_limits import RateLimits
from .recording import Recordings
from .stores import BackgroundStore, BatchStore, FileStore, ImageStore, ResponseStore
from .turns import ScriptedTurn, ScriptedTurns
from .webhooks import DeliveryFault, Webhooks

if TYPE_CHECKING:
    from ..config import Config

log = logging.getLogger("emulator")


NAMESPACE_HEADER = "x-emulator-namespace"
NAMESPACE_QUERY = "namespace"  # the same for the control plane, the page and image URLs
MAX_NAMESPACES = 256
# A namespace nobody has used for this long makes room when the namespaces are all taken.
NAMESPACE_IDLE_SECONDS = 600.0
_NAMESPACE = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def emulator_of(request: Request, create: bool | None = None) -> Emulator:
    """The state a request reaches: its namespace's (the header ``x-emulator-namespace`` or
    the query's ``namespace``), else the default. With ``--namespace-by-key`` a request with a
    key reaches its key's namespace only. A request that only reads (GET, HEAD) makes no
    namespace (unless ``create``: a live view that waits for what comes): an unknown one reads
    as empty."""
    root: Emulator = request.app.state.emulator
    name = request.headers.get(NAMESPACE_HEADER)
    if not name and request.scope.get("query_string"):
        name = request.query_params.get(NAMESPACE_QUERY)
    if root.config.namespace_by_key:
        scheme, _, key = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and key.strip():
            own = "key-" + hashlib.sha256(key.strip().encode()).hexdigest()[:16]
            if name and name != own:
                raise errors.namespace_of_another_key(name)
            name = own
    if create is None:
        create = request.method not in ("GET", "HEAD")
    return root.namespace(name or "", create=create)


@dataclass
class Emulator:
    config: Config
    clock: Clock
    catalog: Catalog
    images: ImageStore
    journal: Journal
    faults: Faults = field(default_factory=Faults)
    files: FileStore = field(default_factory=lambda: FileStore(256 * 1024 * 1024))
    responses: ResponseStore = field(default_factory=lambda: ResponseStore(256 * 1024 * 1024))
    streamed_events: int = 0  # events sent on every stream so far
    batches: BatchStore = field(default_factory=BatchStore)
    background: BackgroundStore = field(default_factory=BackgroundStore)  # background responses
    turns: ScriptedTurns = field(default_factory=ScriptedTurns)  # the model's next turns
    rate_limits: RateLimits = field(default_factory=RateLimits)  # the Responses API's headers
    webhooks: Webhooks = field(default_factory=Webhooks)  # endpoints, deliveries (webhooks)
    # Whether the Responses API's emulated model calls the image tool: "auto" (its rule),
    # "always" or "never" (a test forcing either; the x-emulator-tool-call header wins).
    tool_calls: str = "auto"
    # The day requests are answered as of: today (per request) unless pinned, or ``latest``
    # (every model served); the x-emulator-as-of header wins over it for one request.
    as_of: AsOf = TODAY
    _dated: dict[datetime.date, Catalog] = field(default_factory=dict, repr=False)
    _announced: set[str] = field(default_factory=set, repr=False)  # deprecated models logged
    # Models past the catalog's horizon, each a copy of a known one (``--model NEW=KNOWN``,
    # ``POST /_emulator/models``): kept by the default namespace, shared by all.
    _added: list[AddedModel] = field(default_factory=list, repr=False)
    _text_models: Mapping[str, TextModel] = field(default_factory=lambda: TEXT_MODELS, repr=False)
    # ``--data-dir``: where the default namespace keeps every namespace's state (None: memory).
    data_dir: DataDir | None = field(default=None, repr=False)
    # Azure deployments added through the control plane (kept by the default namespace).
    _azure_added: dict[str, str] = field(default_factory=dict, repr=False)
    _unknown_logged: set[str] = field(default_factory=set, repr=False)
    _decoders: ThreadPoolExecutor | None = field(default=None, repr=False)
    _decoders_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    # Record or replay (shared by every namespace): the recordings folder, and the client
    # that talks to the upstream while recording.
    recordings: Recordings | None = field(default=None, repr=False)
    _upstream: Any = field(default=None, repr=False)
    # Namespaces: "" is this default state; the others are kept by the default one.
    name: str = ""
    _root: Emulator | None = field(default=None, repr=False)
    _namespaces: dict[str, Emulator] = field(default_factory=dict, repr=False)
    _used_at: float = field(default_factory=time.monotonic, repr=False)

    def namespace(self, name: str, create: bool = True) -> Emulator:
        """The state of namespace ``name`` ("" is the default one): its own journal, faults,
        clock, lenient mode, URL images, files and stored responses, made on first use with the
        same bounds (``create=False``: an empty one that is not kept). The catalog and the
        decode threads are shared. Namespaces idle for ``NAMESPACE_IDLE_SECONDS`` make room
        for new ones."""
        root = self._root or self
        if not name:
            return root
        if not _NAMESPACE.fullmatch(name):
            raise errors.invalid_namespace(name)
        with root._decoders_lock:
            found = root._namespaces.get(name)
            if found is None:
                if not create:
                    return root._fresh(name)
                if len(root._namespaces) >= MAX_NAMESPACES:
                    root._drop_idle()
                if len(root._namespaces) >= MAX_NAMESPACES:
                    raise errors.too_many_namespaces(MAX_NAMESPACES)
                found = root._namespaces[name] = root._fresh(name)
                if root.data_dir is not None:  # kept, and its stores kept as they change
                    root.data_dir.add_namespace(name)
                    attach(found, root.data_dir)
            found._used_at = time.monotonic()
            return found

    def _drop_idle(self) -> None:
        """Forget the namespaces nobody has used for ``NAMESPACE_IDLE_SECONDS`` (with the
        decoders' lock held)."""
        cutoff = time.monotonic() - NAMESPACE_IDLE_SECONDS
        for name in [n for n, ns in self._namespaces.items() if ns._used_at < cutoff]:
            gone = self._namespaces.pop(name)
            gone._stop_work()

    def drop_namespace(self, name: str) -> None:
        """Forget a namespace and everything it held (a test's own, when it ends)."""
        root = self._root or self
        with root._decoders_lock:
            root._namespaces.pop(name, None)

    def namespaces(self) -> list[str]:
        root = self._root or self
        with root._decoders_lock:
            return ["", *root._namespaces]

    def _fresh(self, name: str) -> Emulator:
        clock = Clock()
        return Emulator(
            config=self.config,
            clock=clock,
            catalog=self.catalog,
            images=ImageStore(clock, self.images.max_bytes, self.images.ttl_seconds),
            journal=Journal(self.journal.max_entries, JournalImages(self.journal.images.max_bytes)),
            files=FileStore(self.files.max_bytes),
            responses=ResponseStore(self.responses.max_bytes),
            as_of=self.as_of,
            _dated=self._dated,
            _announced=self._announced,
            recordings=self.recordings,
            webhooks=self.webhooks.for_namespace(),
            name=name,
            _root=self,
        )

    @property
    def recording(self) -> bool:
        return bool(self.config.record) and self.recordings is not None

    def upstream_client(self) -> Any:
        """The HTTP client that forwards to ``--upstream`` (made on first use)."""
        root = self._root or self
        if root._upstream is None:
            import httpx

            root._upstream = httpx.AsyncClient(timeout=httpx.Timeout(600, connect=10))
        return root._upstream

    async def aclose(self) -> None:
        if self._upstream is not None:
            await self._upstream.aclose()
            self._upstream = None

    def decoders(self) -> ThreadPoolExecutor:
        """Threads that decode uploaded images side by side (Pillow lets go of the GIL while
        it decodes); started on first use, stopped by ``close`` at the app's shutdown."""
        if self._root is not None:
            return self._root.decoders()
        with self._decoders_lock:
            if self._decoders is None:
                workers = os.cpu_count() or 2
                self._decoders = ThreadPoolExecutor(workers, thread_name_prefix="decode")
            return self._decoders

    @property
    def durable(self) -> DataDir | None:
        """The data dir every namespace is kept in, or None (memory only)."""
        return (self._root or self).data_dir

    def close(self) -> None:
        if self.webhooks.sender is not None:
            self.webhooks.sender.close()
        if self.data_dir is not None:
            self.data_dir.close()
            self.data_dir = None
        with self._decoders_lock:
            if self._decoders is not None:
                self._decoders.shutdown(wait=False, cancel_futures=True)
                self._decoders = None

    def catalog_at(self, day: datetime.date | None) -> Catalog:
        """The catalog as the API was on ``day`` (every model, latest behaviour, for None),
        with the models the user added."""
        root = self._root or self
        if day is None:
            return added_models.with_image_copies(self.catalog, root._added)
        dated = self._dated.get(day)
        if dated is None:
            if len(self._dated) > 256:  # a bound on what odd dates from headers can fill
                self._dated.clear()
            dated = added_models.with_image_copies(eras.catalog_at(self.catalog, day), root._added)
            self._dated[day] = dated
        return dated

    @property
    def text_models(self) -> Mapping[str, TextModel]:
        """The text models that call the image tool, with the ones the user added."""
        return (self._root or self)._text_models

    def azure_deployments(self) -> dict[str, str]:
        """Azure OpenAI deployment names and their models: the options' and the added ones."""
        root = self._root or self
        return {**self.config.azure_deployments, **root._azure_added}

    def add_azure_deployment(self, name: str, model: str) -> None:
        """Serve Azure deployment ``name`` with ``model`` (a ValueError when it is unknown)."""
        if model not in self.catalog.models and model not in self.text_models:
            raise ValueError(f"{model} is not a model the emulator knows")
        root = self._root or self
        with root._decoders_lock:
            root._azure_added[name] = model

    def added_models(self) -> list[AddedModel]:
        return list((self._root or self)._added)

    def add_model(self, name: str, copy_of: str) -> AddedModel:
        """Serve ``name`` as a copy of the known model ``copy_of`` (image or text model), in
        every namespace; a ValueError says why it cannot be added."""
        root = self._root or self
        with root._decoders_lock:
            model = added_models.checked(AddedModel(name, copy_of), self.catalog, root._added)
            root._set_added([*root._added, model])
        log.info("serving %s as a copy of %s", name, copy_of)
        return model

    def _set_added(self, added: list[AddedModel]) -> None:
        self._added = added
        self._text_models = added_models.with_text_copies(TEXT_MODELS, added)
        self._dated.clear()

    def model_copied(self, name: str | None) -> str | None:
        """The known model an added model ``name`` copies (None for any other name)."""
        return next((m.copy_of for m in (self._root or self)._added if m.name == name), None)

    def hint_unknown_model(self, name: str) -> None:
        """Say in the server log, once per name, how to serve a model the catalog lacks."""
        root = self._root or self
        if name in root._unknown_logged or len(root._unknown_logged) > 1000:
            return
        if name in self.catalog.models or name in root._text_models:
            return  # known, only not served on the request's day
        root._unknown_logged.add(name)
        log.warning(
            "model %r is not in the emulator's catalog: if the real API has it, serve it as a "
            "copy of a known model with --model %s=KNOWN (env IMAGES_EMULATOR_MODEL, "
            "POST /_emulator/models)",
            name,
            name,
        )

    def announce(self, notice: Deprecation) -> None:
        """Say in the server log, once per model, that a request used a deprecated model."""
        if notice.model in self._announced:
            return
        self._announced.add(notice.model)
        replacement = f"; replacement: {notice.replacement}" if notice.replacement else ""
        log.warning(
            "%s is deprecated (announced %s): it shuts down on %s%s",
            notice.model,
            notice.announced,
            notice.shutdown,
            replacement,
        )

    def public_base(self, request: Request) -> str:
        return self.config.public_url or str(request.base_url)

    def count_event(self) -> None:
        self.streamed_events += 1

    def fail_next(self, kind: str, **options: object) -> Fault:
        """Script the next answer(s): ``fail_next("rate_limit", count=2, retry_after=3)``,
        ``fail_next("content_policy", prompt_pattern="volcano")``. Options as the control
        plane's fault fields; a ValueError says what is wrong."""
        return self.faults.add(Fault.from_json({"kind": kind, **options}))

    def script_turn(self, kind: str, **options: object) -> ScriptedTurn:
        """Script the Responses API model's next turn(s):
        ``script_turn("function_call", name="get_weather", arguments={"city": "Paris"})``,
        ``script_turn("text", text="Hi", match="hello")``, ``script_turn("refusal")``. Options
        as the control plane's turn fields (``testdouble.turns``); a ValueError says what is
        wrong."""
        return self.turns.add(ScriptedTurn.from_json({"kind": kind, **options}))

    def webhook_deliveries(self) -> list[dict[str, object]]:
        """The namespace's webhook deliveries, oldest first, each with its attempts."""
        return self.webhooks.listing()

    def webhook_fault(self, kind: str, **options: Any) -> DeliveryFault:
        """The next delivery ``late`` (``seconds``), ``duplicate`` or ``out_of_order``."""
        fault = DeliveryFault(kind, int(options.get("count", 1)), float(options.get("seconds", 5)))
        self.webhooks.add_fault(fault)
        return fault

    def requests(
        self, *, endpoint: str | None = None, model: str | None = None, status: int | None = None
    ) -> list[Entry]:
        """The journal, oldest first, filtered."""
        return self.journal.entries(endpoint=endpoint, model=model, status=status)

    def reset(self) -> None:
        """Back to a fresh start: journal, faults, URL images, uploaded files, stored responses
        and clock."""
        self.journal.clear()
        self.faults.clear()
        self.turns.clear()
        self.rate_limits.clear()
        self.webhooks.clear()
        self.images.clear()
        self.files.clear()
        self.responses.clear()
        self.batches.clear()  # a batch still running stops with the reset
        self.background.clear()  # and so does a background response
        self.clock.reset()
        root = self._root or self
        if root.data_dir is not None:  # what the reset dropped goes from the disk too
            root.data_dir.clear_namespace(self.name, every=self._root is None)
        self.streamed_events = 0
        self.tool_calls = "auto"
        self.as_of = self.config.as_of_setting
        if self._root is None:  # models added through the control plane go; the options' stay
            self._set_added(list(self.config.added_models))
            self._azure_added.clear()
            with self._decoders_lock:  # and every other namespace with all it held
                for namespace in self._namespaces.values():
                    namespace._stop_work()
                self._namespaces.clear()

    def _stop_work(self) -> None:
        """Batches and background responses still running stop with their namespace."""
        self.batches.stop_all()
        self.background.clear()
