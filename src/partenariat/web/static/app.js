/* partenariat: the SPARQL page. YASGUI (bundled, no CDN) queries this server's /sparql;
   the catalogue's queries are one-click examples; every URL is relative to the page. */
(function () {
  "use strict";

  var LABELS = {
    fr: {
      title: "Partenariat — point d’accès SPARQL",
      intro: "Interrogez le graphe de connaissances du partenariat éducatif (Programme de Réussite Éducative, contrats de ville) en SPARQL 1.1. Choisissez un exemple ou écrivez votre requête ; les requêtes portent sur l’union des graphes nommés.",
      profilePublic: "Profil public : les données personnelles des destinataires (âge, classe, situation…) et les passages qui les citent sont retirés.",
      profileFull: "Graphe complet, données personnelles comprises : ne pas exposer publiquement.",
      navExamples: "Exemples",
      navNetwork: "Réseau",
      navCatalogue: "Catalogue (JSON)",
      navEndpoint: "Point d’accès :",
      otherLang: "English",
      examples: "Exemples de requêtes",
      autorun: "exécuter aussitôt",
      loading: "Chargement du catalogue…",
      loadError: "Le catalogue n’a pas pu être chargé.",
      question: "question",
      parameters: "paramètres par défaut",
      download: "Télécharger les résultats :",
      downloadHint: "(la requête de l’éditeur, exécutée à nouveau)",
      network: "Réseau des partenariats",
      networkIntro: "Le réseau à deux modes acteurs–dispositifs tiré du graphe servi (les destinataires en sont exclus) : ronds colorés par type d’organisation, carrés gris pour les dispositifs.",
      networkAlt: "Réseau des partenaires et des dispositifs",
      footer: "Éditeur et tableau de résultats :",
    },
    en: {
      title: "Partenariat — SPARQL endpoint",
      intro: "Query the knowledge graph of French educational partnerships (Programme de Réussite Éducative, contrats de ville) with SPARQL 1.1. Pick an example or write your own query; queries run over the union of the named graphs.",
      profilePublic: "Public profile: the recipients’ personal data (age, grade, situation…) and the passages that quote it are left out.",
      profileFull: "Full graph, personal data included: do not expose it publicly.",
      navExamples: "Examples",
      navNetwork: "Network",
      navCatalogue: "Catalogue (JSON)",
      navEndpoint: "Endpoint:",
      otherLang: "Français",
      examples: "Example queries",
      autorun: "run at once",
      loading: "Loading the catalogue…",
      loadError: "The catalogue could not be loaded.",
      question: "question",
      parameters: "default parameters",
      download: "Download the results:",
      downloadHint: "(the editor’s query, run again)",
      network: "Partnership network",
      networkIntro: "The two-mode actor–scheme network of the served graph (recipients left out): circles coloured by organisation type, grey squares for schemes.",
      networkAlt: "Network of partners and schemes",
      footer: "Editor and results table:",
    },
  };
  var GRAPH_FORMATS = [["turtle", "Turtle", "ttl"], ["ntriples", "N-Triples", "nt"], ["jsonld", "JSON-LD", "jsonld"]];
  var TABLE_FORMATS = [["csv", "CSV", "csv"], ["tsv", "TSV", "tsv"], ["json", "JSON", "srj"], ["xml", "XML", "srx"]];

  var params = new URLSearchParams(window.location.search);
  var lang = params.get("lang") || document.documentElement.lang || "fr";
  if (!LABELS[lang]) lang = "fr";
  document.documentElement.lang = lang;
  function t(key) { return LABELS[lang][key] || LABELS.fr[key] || key; }

  document.querySelectorAll("[data-i18n]").forEach(function (element) {
    var key = element.getAttribute("data-i18n");
    if (key === "profile") {
      key = document.documentElement.getAttribute("data-profile") === "full" ? "profileFull" : "profilePublic";
    }
    element.textContent = t(key);
  });
  document.getElementById("network").alt = t("networkAlt");
  var other = lang === "fr" ? "en" : "fr";
  var switcher = document.getElementById("lang-switch");
  switcher.textContent = t("otherLang");
  switcher.href = "?lang=" + other;
  document.getElementById("catalogue-link").href = "catalogue.json?lang=" + lang;

  var endpoint = new URL("sparql", document.baseURI).href;
  var prefixes = {};
  try {
    prefixes = JSON.parse(document.getElementById("prefixes").textContent);
  } catch (error) {
    prefixes = {};
  }
  document.getElementById("endpoint-url").textContent = endpoint;

  // YASGUI, with no autocompleter that calls an outside service: the class and property
  // completers ask the LOV vocabulary service; prefixes come from the bundled list.
  var YasguiClass = window.Yasgui && (window.Yasgui.default || window.Yasgui);
  var Yasqe = YasguiClass.Yasqe;
  Yasqe.defaults.autocompleters = Yasqe.defaults.autocompleters.filter(function (name) {
    return name !== "class" && name !== "property";
  });
  Yasqe.defaults.prefixCcApi = null;
  var yasgui = new YasguiClass(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    persistenceId: null,
    endpointCatalogueOptions: {
      getData: function () { return [{ endpoint: endpoint }]; },
      keys: [],
    },
    yasqe: { prefixCcApi: null },
    yasr: { prefixes: prefixes },
  });

  function currentTab() { return yasgui.getTab(); }

  function updateDownloads() {
    var tab = currentTab();
    var holder = document.getElementById("downloads");
    holder.querySelectorAll("a").forEach(function (link) { link.remove(); });
    if (!tab) return;
    var yasqe = tab.getYasqe();
    var query = yasqe.getValue();
    var kind = (yasqe.getQueryType && yasqe.getQueryType()) || "SELECT";
    var formats = kind === "CONSTRUCT" || kind === "DESCRIBE" ? GRAPH_FORMATS : TABLE_FORMATS;
    var hint = holder.querySelector(".hint");
    formats.forEach(function (format) {
      var link = document.createElement("a");
      link.href = "sparql?" + new URLSearchParams({ query: query, format: format[0] }).toString();
      link.textContent = format[1];
      link.setAttribute("download", "resultats." + format[2]);
      link.className = "download-" + format[0];
      holder.insertBefore(link, hint);
    });
  }

  function loadExample(entry) {
    var tab = currentTab();
    tab.setEndpoint(endpoint);
    tab.setQuery(entry.query);
    updateDownloads();
    document.querySelectorAll("#catalogue .example").forEach(function (button) {
      button.classList.toggle("selected", button.getAttribute("data-name") === entry.name);
    });
    if (document.getElementById("autorun").checked) {
      tab.query();
    }
  }

  function order(entry) {
    // the competency questions first, in order, then the other queries by name
    return (entry.question ? "0" + entry.question : "1") + " " + entry.name;
  }

  function showCatalogue(entries) {
    entries = entries.slice().sort(function (a, b) { return order(a) < order(b) ? -1 : 1; });
    var list = document.getElementById("catalogue");
    document.getElementById("catalogue-status").hidden = true;
    entries.forEach(function (entry) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "example";
      button.setAttribute("data-name", entry.name);
      var title = document.createElement("strong");
      title.textContent = (entry.question ? entry.question + " · " : "") + (entry.title || entry.name);
      button.appendChild(title);
      if (entry.description) {
        var description = document.createElement("span");
        description.className = "description";
        description.textContent = entry.description;
        button.appendChild(description);
      }
      var name = document.createElement("code");
      name.textContent = entry.name;
      button.appendChild(name);
      var defaults = (entry.parameters || []).filter(function (p) { return p.default; });
      if (defaults.length) {
        var parameters = document.createElement("span");
        parameters.className = "parameters";
        parameters.textContent = t("parameters") + (lang === "fr" ? " : " : ": ") + defaults.map(function (p) {
          return p.name + " = " + (p.name === "lang" ? lang : p.default);
        }).join(", ");
        button.appendChild(parameters);
      }
      button.addEventListener("click", function () { loadExample(entry); });
      item.appendChild(button);
      list.appendChild(item);
    });
  }

  fetch("catalogue.json?lang=" + encodeURIComponent(lang), { headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) throw new Error(response.statusText);
      return response.json();
    })
    .then(showCatalogue)
    .catch(function () {
      var status = document.getElementById("catalogue-status");
      status.textContent = t("loadError");
      status.classList.add("error");
    });

  yasgui.on("tabChange", updateDownloads);
  yasgui.on("tabSelect", function () { window.setTimeout(updateDownloads, 0); });
  var tab = currentTab();
  if (tab) {
    tab.getYasqe().on("change", updateDownloads);
  }
  yasgui.on("tabAdd", function () {
    window.setTimeout(function () {
      var added = currentTab();
      if (added) added.getYasqe().on("change", updateDownloads);
      updateDownloads();
    }, 0);
  });
  updateDownloads();
  window.partenariat = { yasgui: yasgui, endpoint: endpoint, loadExample: loadExample };
})();
