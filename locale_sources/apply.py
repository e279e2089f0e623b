"""Sets msgstr per msgid in locale/*/LC_MESSAGES/django.po from the tables beside this file, clears
their fuzzy flags, and fixes the Dutch family texts' register to "je"; then compile with
`make messages` (or compilemessages)."""
import sys
from pathlib import Path

import polib

HERE = Path(__file__).resolve().parent
LOCALE = HERE.parent / "locale"
sys.path.insert(0, str(HERE))
import family_16  # noqa: E402

# Dutch family texts that said "u": one register, "je", everywhere a family reads.
JE = {
    "Privacy: what the school keeps about you": "Privacy: wat de school over je bewaart",
    "A few days ago %(school)s sent you a short agreement for the device your child borrows. We have not received your signature yet.":
        "Een paar dagen geleden stuurde %(school)s je korte afspraken voor het toestel dat je kind leent. We hebben je handtekening nog niet gekregen.",
    "You can sign with the link in our first message. Did you lose the link, or do you have a question? Just ask the school. We are happy to help.":
        "Je kunt tekenen met de link in ons eerste bericht. Ben je de link kwijt, of heb je een vraag? Vraag het gewoon aan de school. We helpen je graag.",
    "Your free internet code stops soon": "Je gratis internetcode stopt binnenkort",
    "The free internet code you got from %(school)s stops working on %(day)s.":
        "De gratis internetcode die je kreeg van %(school)s werkt niet meer vanaf %(day)s.",
    "The free internet code you got from %(school)s stops working in less than two weeks.":
        "De gratis internetcode die je kreeg van %(school)s werkt nog minder dan twee weken.",
    "Do you still need internet at home for school? Ask the school for more time before that day. The school can extend the code.":
        "Heb je thuis nog internet nodig voor school? Vraag de school voor die dag om meer tijd. De school kan de code verlengen.",
    "Your free internet code: do you need help?": "Je gratis internetcode: heb je hulp nodig?",
    "Two weeks ago %(school)s gave you a free internet code. You have not used it yet.":
        "Twee weken geleden gaf %(school)s je een gratis internetcode. Je hebt ze nog niet gebruikt.",
    "Do you need help to start? Ask the school. We are happy to help.":
        "Heb je hulp nodig om te starten? Vraag het aan de school. We helpen je graag.",
    "The device your child borrowed from %(school)s is not back at school yet. Maybe you forgot. That can happen.":
        "Het toestel dat je kind leende van %(school)s is nog niet terug op school. Misschien ben je het vergeten. Dat kan gebeuren.",
    "Soon the device your child borrows from %(school)s goes back to school.":
        "Binnenkort gaat het toestel dat je kind leent van %(school)s terug naar school.",
    "Today the device your child borrows from %(school)s goes back to school.":
        "Vandaag gaat het toestel dat je kind leent van %(school)s terug naar school.",
    "Last week %(school)s asked you a few short questions about a computer and internet at home.":
        "Vorige week stelde %(school)s je een paar korte vragen over een computer en internet thuis.",
    "Can you still answer? It takes five minutes. Use the link in our first message. Do you prefer paper? Ask the school.":
        "Kun je nog antwoorden? Het duurt vijf minuten. Gebruik de link in ons eerste bericht. Liever op papier? Vraag het aan de school.",
    "What the school keeps about you, and your rights:": "Wat de school over je bewaart, en je rechten:",
}


def set_entry(po, msgid, value):
    entry = po.find(msgid)
    if entry is None or value is None:
        return False
    if isinstance(value, tuple):
        entry.msgstr_plural = {index: text for index, text in enumerate(value)}
    else:
        entry.msgstr = value
    if "fuzzy" in entry.flags:
        entry.flags.remove("fuzzy")
    entry.previous_msgid = None
    return True


def main():
    for language in family_16.L:
        po = polib.pofile(str(LOCALE / language / "LC_MESSAGES/django.po"))
        for msgid, values in family_16.FAMILY.items():
            set_entry(po, msgid, values.get(language))
        if language == "nl":
            for msgid, value in {**family_16.STAFF_NL, **family_16.STAFF_NL_PLURAL, **JE}.items():
                set_entry(po, msgid, value)
        po.save()


if __name__ == "__main__":
    main()
