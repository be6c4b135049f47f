<?xml version="1.0" encoding="UTF-8"?>
<!--
  Renders an Atom or RSS feed of this blog as a page when someone opens it in a browser:
  what a feed is, how to subscribe, and the recent posts. Feed readers never see this.
  The feeds plugin writes it into the output and replaces @SITEURL@ with the site's address.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom">
  <xsl:output method="html" encoding="UTF-8" indent="yes"
      doctype-system="about:legacy-compat"/>

  <xsl:variable name="siteurl">@SITEURL@</xsl:variable>

  <xsl:template match="/">
    <xsl:variable name="title" select="atom:feed/atom:title | rss/channel/title"/>
    <xsl:variable name="lang" select="atom:feed/@xml:lang | rss/channel/language"/>
    <xsl:variable name="self"
        select="(atom:feed/atom:link[@rel='self'] | rss/channel/atom:link[@rel='self'])/@href"/>
    <html lang="{$lang}">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <meta name="robots" content="noindex"/>
        <meta name="color-scheme" content="light dark"/>
        <title><xsl:value-of select="$title"/> (web feed)</title>
        <link rel="stylesheet" href="{$siteurl}/theme/css/site.css"/>
        <!-- The theme's own markup and design tokens, so the page looks like the rest of the
             site in both colour schemes; only what the theme has no class for is added here. -->
        <style>
          .feed-url { display: block; width: 100%; min-height: 2.75rem; margin: 0.25rem 0 0.5rem;
                      padding: 0.5rem 0.75rem; border: 1px solid var(--muted);
                      border-radius: var(--radius); background: var(--bg); color: var(--text);
                      font-family: var(--font-mono); font-size: var(--step--1); }
          .subscribe label { display: block; font-family: var(--font-ui); font-weight: 600; }
        </style>
      </head>
      <body>
        <a class="skip-link" href="#main">Skip to content</a>
        <header class="site-header">
          <div class="wrap">
            <p class="site-name"><a href="{$siteurl}/"><xsl:value-of select="$title"/></a></p>
          </div>
        </header>
        <main id="main" class="wrap">
          <h1>This is a web feed</h1>
          <section class="subscribe feed-note" aria-labelledby="feed-note-title">
            <h2 id="feed-note-title">Follow <xsl:value-of select="$title"/></h2>
            <p>A feed lets a <strong>feed reader</strong> (an RSS reader) show you every new post
              of <xsl:value-of select="$title"/> as it appears, in order, with nothing chosen for
              you by an algorithm. Many readers are free: NetNewsWire, Feedly, Inoreader, Feedbin
              and Thunderbird are a few.</p>
            <label for="feed-url">To subscribe, copy this address into your reader:</label>
            <input id="feed-url" class="feed-url" type="text" readonly="readonly" value="{$self}"/>
            <p>Prefer email? See <a href="{$siteurl}/subscribe/">Subscribe</a>.</p>
          </section>
          <h2>Recent posts</h2>
          <ul class="feed-posts title-list">
            <xsl:apply-templates select="atom:feed/atom:entry | rss/channel/item"/>
          </ul>
        </main>
        <footer class="site-footer">
          <div class="wrap">
            <p><a href="{$siteurl}/"><xsl:value-of select="$title"/></a></p>
          </div>
        </footer>
      </body>
    </html>
  </xsl:template>

  <!-- An Atom link with no rel is rel="alternate" (RFC 4287, 4.2.7.2): feedgen leaves it out. -->
  <xsl:template match="atom:entry">
    <li>
      <time datetime="{atom:published}"><xsl:value-of select="substring(atom:published, 1, 10)"/></time>
      <xsl:text> </xsl:text>
      <a href="{atom:link[not(@rel) or @rel='alternate'][1]/@href}"><xsl:value-of select="atom:title"/></a>
    </li>
  </xsl:template>

  <xsl:template match="item">
    <li>
      <time><xsl:value-of select="substring(pubDate, 1, 16)"/></time>
      <xsl:text> </xsl:text>
      <a href="{link}"><xsl:value-of select="title"/></a>
    </li>
  </xsl:template>
</xsl:stylesheet>
