() => {
  // Behaviour of the buttons inside answers. The chat's sanitizer keeps classes but removes ids,
  // data- and aria- attributes and form fields, so a turn is named by its `ea-turn-N` class and
  // the comment box is built here. Clicks are caught once on the document, because the chat
  // redraws its messages whenever the conversation changes.
  const MAX_CHARS = __MAX_CHARS__;
  const turnOf = (el) => {
    const m = /(?:^|\s)ea-turn-(\d+)(?:\s|$)/.exec(el.className);
    return m ? Number(m[1]) : -1;
  };

  // Python hears these through a hidden text box and button (layout.py: ea-action, ea-act).
  const send = (action) => {
    const box = document.querySelector("#ea-action textarea, #ea-action input");
    const go = document.querySelector("button#ea-act, #ea-act button");
    if (!box || !go) return;
    box.value = JSON.stringify(action);
    box.dispatchEvent(new Event("input", { bubbles: true }));
    go.click();
  };

  const ask = (text) => {
    const box = document.querySelector("#ea-question textarea");
    const button = document.querySelector("button#ea-ask, #ea-ask button");
    if (!box || !button) return;
    box.value = text;
    box.dispatchEvent(new Event("input", { bubbles: true }));
    button.click();
  };

  const copy = async (text) => {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch (e) {
      const area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      const done = document.execCommand("copy");
      area.remove();
      return done;
    }
  };

  const openCard = (badge) => {
    const answer = badge.closest(".ea-answer");
    const n = (badge.textContent.match(/\d+/) || [])[0];
    const card = answer && n && answer.querySelector(".ea-card-" + n);
    if (!card) return;
    const details = card.querySelector("details");
    if (details) details.open = true;
    card.classList.remove("ea-flash");
    void card.offsetWidth; // restart the highlight when the same badge is pressed again
    card.classList.add("ea-flash");
    // Scroll the chat, not the page: on a phone the page would lose the question box.
    const scroller = card.closest(".bubble-wrap") || card.closest("#ea-chat");
    if (scroller) {
      const box = card.getBoundingClientRect();
      const view = scroller.getBoundingClientRect();
      if (box.bottom > view.bottom || box.top < view.top) {
        const top = scroller.scrollTop + box.top - view.top - Math.max(0, (view.height - box.height) / 2);
        scroller.scrollTo({ top, behavior: "smooth" });
      }
    }
    const summary = card.querySelector("summary");
    if (summary) summary.focus({ preventScroll: true });
  };

  document.addEventListener("click", async (event) => {
    const el = event.target.closest(".ea-ref, .ea-copy, .ea-thumb, .ea-suggest, .ea-send");
    if (!el || !el.closest("#ea-chat")) return;
    event.preventDefault();
    if (el.classList.contains("ea-ref")) openCard(el);
    else if (el.classList.contains("ea-copy")) {
      const answer = el.closest(".ea-answer");
      const text = answer.querySelector(".ea-copytext").textContent;
      const ok = await copy(text);
      el.textContent = ok ? "Copied" : "Copy failed";
      el.classList.toggle("ea-copied", ok);
      setTimeout(() => {
        el.textContent = "Copy answer";
        el.classList.remove("ea-copied");
      }, 2000);
    } else if (el.classList.contains("ea-thumb")) {
      window.__eaFocusComment = true;
      send({ do: "rate", turn: turnOf(el), rating: el.classList.contains("ea-up") ? "up" : "down" });
    } else if (el.classList.contains("ea-suggest")) {
      ask(el.querySelector(".ea-suggest-ask").textContent);
    } else if (el.classList.contains("ea-send")) {
      const box = el.closest(".ea-comment");
      const text = box.querySelector("textarea").value.trim();
      if (text) send({ do: "comment", turn: turnOf(box), text });
    }
  });

  // The comment box under a rated answer: a labelled text area and a Send button.
  let serial = 0;
  const fillComments = () => {
    for (const slot of document.querySelectorAll("#ea-chat .ea-comment:not(.ea-filled)")) {
      slot.classList.add("ea-filled");
      const prompt = slot.querySelector(".ea-comment-prompt");
      const id = "ea-comment-text-" + ++serial;
      const label = document.createElement("label");
      label.htmlFor = id;
      label.className = "ea-comment-label";
      label.textContent = prompt ? prompt.textContent : "Comment (optional)";
      if (prompt) prompt.remove();
      const area = document.createElement("textarea");
      area.id = id;
      area.rows = 2;
      area.maxLength = MAX_CHARS;
      area.addEventListener("keydown", (e) => {
        if (e.key === "Enter" && !e.shiftKey) {
          e.preventDefault();
          slot.querySelector(".ea-send").click();
        }
      });
      const button = document.createElement("button");
      button.type = "button";
      button.className = "ea-send";
      button.textContent = "Send comment";
      slot.append(label, area, button);
      if (window.__eaFocusComment) {
        window.__eaFocusComment = false;
        area.focus({ preventScroll: true });
      }
    }
    for (const note of document.querySelectorAll("#ea-chat .ea-fb-notice:not([role])")) {
      note.setAttribute("role", "status");
    }
  };

  // How long the question is, once it nears the limit.
  const counter = () => {
    const box = document.querySelector("#ea-question textarea");
    const row = document.querySelector("#ea-ask-row");
    if (!box || !row || box.__eaCounted) return;
    box.__eaCounted = true;
    const count = document.createElement("div");
    count.className = "ea-count";
    count.setAttribute("aria-live", "polite");
    row.after(count);
    const update = () => {
      const n = box.value.length;
      count.textContent = n > MAX_CHARS * 0.8 ? `${n.toLocaleString("en")} / ${MAX_CHARS.toLocaleString("en")} characters` : "";
      count.classList.toggle("ea-over", n > MAX_CHARS);
    };
    box.addEventListener("input", update);
  };

  // Following the answer being written (the chat's own autoscroll is off, layout.py): the
  // newest question is kept at the top of the chat, so a long answer is read from its start,
  // or the chat's end is shown when the whole turn fits. Once the person scrolls (wheel, touch,
  // keys, the scroll bar) the chat stays where they put it, until they ask again.
  const follow = { on: true, questions: 0, box: null };
  const stopFollowing = () => { follow.on = false; };
  const place = () => {
    const box = document.querySelector("#ea-chat .bubble-wrap");
    if (!box) return;
    if (follow.box !== box) {
      follow.box = box;
      box.style.overflowAnchor = "none"; // the browser's own anchoring would move it too
      for (const kind of ["wheel", "touchmove"]) box.addEventListener(kind, stopFollowing, { passive: true });
      box.addEventListener("keydown", (e) => {
        if (["ArrowUp", "ArrowDown", "PageUp", "PageDown", "Home", "End", " "].includes(e.key)) stopFollowing();
      });
      box.addEventListener("pointerdown", (e) => { if (e.target === box) stopFollowing(); });
    }
    const questions = box.querySelectorAll(".ea-question");
    if (questions.length !== follow.questions) {
      follow.questions = questions.length;
      follow.on = true;
    }
    if (!follow.on || !questions.length) return;
    const last = questions[questions.length - 1];
    const row = last.closest(".message-row") || last;
    const top = row.getBoundingClientRect().top - box.getBoundingClientRect().top + box.scrollTop - 8;
    const target = Math.max(0, Math.min(top, box.scrollHeight - box.clientHeight));
    if (Math.abs(box.scrollTop - target) > 1) box.scrollTop = target;
  };

  // The chat's own "Scroll down" button comes and goes as the chat scrolls: Tab from the last
  // control of an answer could land on it just as focusing that control scrolled the chat to its
  // end, and then the button vanished with focus on it, leaving keyboard users on the bare page.
  // It stays for the pointer; keys scroll the chat, and Tab goes on to the question box.
  const SCROLL_DOWN = '#ea-chat button[aria-label="Scroll down"]';
  const keepScrollButtonOutOfTabOrder = () => {
    for (const b of document.querySelectorAll(SCROLL_DOWN + ":not([tabindex])")) {
      b.tabIndex = -1;
    }
  };

  // The chat's "Scroll down" button is the person moving the chat too (it sits outside the
  // scroller, so the listeners above do not hear it): without this, following put the chat
  // straight back at the question.
  document.addEventListener("click", (e) => {
    if (e.target.closest && e.target.closest(SCROLL_DOWN)) stopFollowing();
  }, true);

  const watch = new MutationObserver(() => {
    fillComments();
    counter();
    place();
    keepScrollButtonOutOfTabOrder();
  });
  watch.observe(document.body, { childList: true, subtree: true });
  fillComments();
  counter();
}
