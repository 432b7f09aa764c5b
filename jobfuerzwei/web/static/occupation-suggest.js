// Occupation suggestions as the user types: an ARIA 1.2 combobox (editable, list autocomplete) over
// inputs marked with data-suggest. Keyboard: Down/Up move through the list, Enter takes the active entry,
// Escape closes the list; Tab leaves the field as usual. Free text stays allowed: nothing is forced.
// With data-multiple the value is a comma-separated list and a suggestion replaces the entry being typed.
// Loaded from a file (the CSP forbids inline scripts); without it the field is a plain text input.
(function () {
  "use strict";

  function setup(input) {
    var list = document.getElementById(input.getAttribute("aria-controls"));
    var status = document.getElementById(input.id + "-status");
    var url = input.getAttribute("data-suggest");
    var multiple = input.getAttribute("data-multiple") === "true";
    var items = [];
    var active = -1;
    var timer = null;
    var serial = 0;

    function segment() {
      var value = input.value;
      if (!multiple) {
        return { before: "", text: value };
      }
      var cut = value.lastIndexOf(",");
      return { before: cut >= 0 ? value.slice(0, cut + 1) + " " : "", text: value.slice(cut + 1) };
    }

    function close() {
      list.hidden = true;
      list.innerHTML = "";
      items = [];
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      var options = list.querySelectorAll("[role=option]");
      active = index;
      for (var i = 0; i < options.length; i++) {
        options[i].setAttribute("aria-selected", i === index ? "true" : "false");
      }
      if (index >= 0 && options[index]) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    // The messages come from the page, in its language (see templates/_macros/forms.html).
    function text(name) {
      return (status && status.getAttribute(name)) || "";
    }

    function choose(index) {
      var item = items[index];
      if (!item) {
        return;
      }
      input.value = segment().before + item.label;
      close();
      if (status) {
        status.textContent = text("data-chosen-text").replace("%(label)s", item.label);
      }
    }

    function show(found) {
      items = found;
      list.innerHTML = "";
      found.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = input.id + "-option-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.textContent = item.label;
        li.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep the focus in the input
          choose(i);
        });
        list.appendChild(li);
      });
      var open = found.length > 0;
      list.hidden = !open;
      input.setAttribute("aria-expanded", open ? "true" : "false");
      active = -1;
      if (status) {
        status.textContent = open
          ? text("data-found-text").replace("%(count)s", String(found.length))
          : text("data-none-text");
      }
    }

    function lookup() {
      var text = segment().text.trim();
      if (text.length < 2) {
        close();
        return;
      }
      var mine = ++serial;
      fetch(url + "?q=" + encodeURIComponent(text), { headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.ok ? response.json() : [];
        })
        .then(function (found) {
          if (mine === serial && document.activeElement === input) {
            show(found);
          }
        })
        .catch(function () {
          close();
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(lookup, 120);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" && items.length) {
        event.preventDefault();
        highlight((active + 1) % items.length);
      } else if (event.key === "ArrowUp" && items.length) {
        event.preventDefault();
        highlight(active <= 0 ? items.length - 1 : active - 1);
      } else if (event.key === "Enter" && active >= 0 && !list.hidden) {
        event.preventDefault(); // take the suggestion, do not submit the form
        choose(active);
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", function () {
      window.setTimeout(close, 100);
    });
  }

  var inputs = document.querySelectorAll("input[data-suggest]");
  for (var i = 0; i < inputs.length; i++) {
    setup(inputs[i]);
  }
})();
